import Crypto
import Foundation

/// Keeps a handed-off token out of the database in plaintext: the row is found by one digest of
/// the CLI's key and the token sealed (AES-GCM) under another, so a copy of the database alone
/// does not yield a working token during the minutes a handoff waits to be collected.
enum HandoffSeal {
    /// The shortest key accepted; a key is the CLI's random `state`.
    static let minimumKeyLength = 16
    /// The longest key accepted.
    static let maximumKeyLength = 512

    /// Rejects keys too short to seal with or too long to be sensible.
    static func validate(_ key: String) throws {
        let length = key.utf8.count
        guard length >= minimumKeyLength, length <= maximumKeyLength else {
            throw StoreError.invalidRequest(
                "a handoff key must be \(minimumKeyLength)…\(maximumKeyLength) bytes long, not \(length)"
            )
        }
    }

    /// The row id for `key`.
    static func rowID(for key: String) -> [UInt8] { Secrets.sha256("cubicle/cli-handoff/id\u{0}" + key) }

    /// Seals `token` under a key derived from `key`.
    static func seal(_ token: String, key: String) throws -> [UInt8] {
        do {
            let box = try AES.GCM.seal(Array(token.utf8), using: symmetricKey(for: key))
            guard let combined = box.combined else { throw StoreError.internalError("cannot seal the handoff token") }
            return Array(combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.internalError("cannot seal the handoff token", underlying: error)
        }
    }

    /// Opens what `seal` produced.
    static func open(_ sealed: [UInt8], key: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plain = try AES.GCM.open(box, using: symmetricKey(for: key))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw StoreError.internalError("cannot open the sealed handoff token", underlying: error)
        }
    }

    private static func symmetricKey(for key: String) -> SymmetricKey {
        SymmetricKey(data: Secrets.sha256("cubicle/cli-handoff/key\u{0}" + key))
    }
}
