import API
import Crypto
import CubicleModel
import Foundation
import KubeClient
import Logging
import Store

/// Start-up work for sign-in: static users from the config file, the internal JWT keys in the data
/// directory, and the HTTP transport (libcurl) that reaches identity providers.
enum AuthBootstrap {
    /// A new signing key is made when the newest is older than this; keys twice as old are dropped
    /// (internal tokens live minutes, so nothing still valid was signed by them).
    static let keyRotation: TimeInterval = 30 * 86400

    /// Creates the config file's static users, or brings them in line with it. `locked: true` in
    /// the file always locks; `locked: false` (the default) never unlocks a user an admin locked
    /// through the API, so a restart cannot undo an emergency lock.
    static func applyStaticUsers(_ users: [ConfigFile.StaticUser], store: any CubicleStore, logger: Logger) async throws {
        for declared in users {
            guard Username.isValid(declared.username) else {
                throw ConfigError("auth.staticUsers: \(declared.username.prefix(40)) is not a valid username")
            }
            do {
                _ = try await store.users.get(declared.username)
                _ = try await store.users.update(
                    declared.username,
                    with: UserPatch(
                        fullname: declared.fullname, email: declared.email, uid: declared.uid, gid: declared.gid, roles: declared.roles,
                        blueprints: declared.blueprints, source: .static, locked: declared.locked ? true : nil))
            } catch let error as StoreError where error.code == .notFound {
                _ = try await store.users.create(
                    NewUser(
                        username: declared.username, fullname: declared.fullname, email: declared.email, uid: declared.uid,
                        gid: declared.gid, roles: declared.roles, blueprints: declared.blueprints, source: .static,
                        locked: declared.locked))
                logger.info("created static user", metadata: ["username": "\(declared.username)"])
            }
        }
    }

    /// Loads `DATA/jwt-keys/*.key` (raw Ed25519 keys, base64), creating or rotating as needed.
    static func loadKeyring(dataDirectory: String, now: Date) async throws -> InternalKeyring {
        let directory = (dataDirectory as NSString).appendingPathComponent("jwt-keys")
        return try await Offload.run {
            let manager = FileManager.default
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var keys: [(created: Date, key: InternalKeyring.Key)] = []
            for name in try manager.contentsOfDirectory(atPath: directory) where name.hasSuffix(".key") {
                let path = (directory as NSString).appendingPathComponent(name)
                let created = (try manager.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
                if now.timeIntervalSince(created) > 2 * keyRotation {
                    try? manager.removeItem(atPath: path)
                    continue
                }
                let text = try FileIO.read(path).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                    throw ServerError("the JWT key \(path) is not a base64 Ed25519 key")
                }
                keys.append((created, InternalKeyring.Key(id: String(name.dropLast(4)), privateKey: key)))
            }
            keys.sort { $0.created < $1.created }
            if keys.isEmpty || now.timeIntervalSince(keys[keys.count - 1].created) > keyRotation {
                let key = Curve25519.Signing.PrivateKey()
                let id = "k\(Int(now.timeIntervalSince1970))-\(UUID().uuidString.prefix(8).lowercased())"
                try FileIO.writePrivate(key.rawRepresentation.base64EncodedString() + "\n", to: (directory as NSString).appendingPathComponent(id + ".key"))
                keys.append((now, InternalKeyring.Key(id: id, privateKey: key)))
            }
            return InternalKeyring(keys: keys.map(\.key))
        }
    }

    /// The 32-byte key sealing credential secrets, `DATA/credentials.key` (created on first start).
    static func loadCredentialKey(dataDirectory: String) async throws -> [UInt8] {
        let path = (dataDirectory as NSString).appendingPathComponent("credentials.key")
        return try await Offload.run {
            if FileManager.default.fileExists(atPath: path) {
                let text = try FileIO.read(path).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let raw = Data(base64Encoded: text), raw.count == 32 else { throw ServerError("\(path) is not a base64 32-byte key") }
                return Array(raw)
            }
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            try FileIO.writePrivate(Data(key).base64EncodedString() + "\n", to: path)
            return key
        }
    }

    /// An `HTTPFetcher` over libcurl (the reactor the Kubernetes client uses, a separate instance).
    static func fetcher(_ reactor: CurlReactor) -> HTTPFetcher {
        HTTPFetcher { method, url, headers, body in
            let response = try await reactor.execute(
                CurlRequest(method: method, url: url, headers: headers.map { HTTPHeader($0.0, $0.1) }, body: body, connectTimeout: 10, timeout: 30))
            return HTTPFetcher.Reply(status: response.status, body: try await response.body.collect(limit: 1 << 20))
        }
    }
}
