import Crypto
import Foundation

/// Random secrets and their digests: bearer tokens, session ids, hashed lookups.
enum Secrets {
    /// `count` bytes from the system CSPRNG (`getrandom` on Linux).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `byteCount` random bytes as unpadded base64url text.
    static func randomToken(byteCount: Int = 32) -> String {
        base64URL(randomBytes(byteCount))
    }

    /// The SHA-256 digest of `text`'s UTF-8 bytes.
    static func sha256(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Unpadded base64url (RFC 4648 §5) of `bytes`.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// True when `text` is exactly `length` characters of the base64url alphabet.
    static func isBase64URL(_ text: Substring, length: Int) -> Bool {
        guard text.utf8.count == length else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// The base64url length of `byteCount` bytes without padding.
    static func base64URLLength(byteCount: Int) -> Int { (byteCount * 4 + 2) / 3 }

    /// A new random identifier for records (lower-case UUID text).
    static func newID() -> String { UUID().uuidString.lowercased() }
}
