import CubicleModel
import Foundation
import Logging
import Store

/// The break-glass way back in, run on the server's own data directory (`cubicle admin token`):
/// unlocks the admin (creating it when it is gone), gives it the admin role back, issues a fresh
/// token, writes it to `DATA_DIR/admin-token` and records what it did in `DATA_DIR/audit.log`.
///
/// Safe next to a running server: the store is SQLite in WAL mode, whose writers share the file
/// through its locks, and the server reads users and tokens from the store on every request. It
/// refuses a directory without a store (it never creates one), a store whose schema is newer than
/// this binary (a newer server writes it), a file that cannot use WAL, and a store whose write lock
/// another process holds past the busy timeout.
public enum AdminRecovery {
    /// What a recovery did.
    public struct Outcome: Sendable {
        /// The user that can get in again.
        public var username: String
        /// The new token (shown once).
        public var token: String
        /// The new token's id.
        public var tokenID: String
        /// Where the token was written.
        public var tokenPath: String
        /// Whether the user had been locked.
        public var wasLocked: Bool
        /// Whether the user had to be created.
        public var created: Bool
    }

    /// Recovers `username` (default `admin`) in the store of `dataDirectory`.
    public static func issueToken(
        dataDirectory: String, username: String = "admin", tokenName: String = "break-glass", logger: Logger
    ) async throws -> Outcome {
        guard Username.isValid(username) else { throw ServerError("not a valid username: \(username)") }
        let path = (dataDirectory as NSString).appendingPathComponent(SQLiteStore.defaultFileName)
        guard try await Offload.run({ FileManager.default.fileExists(atPath: path) }) else {
            throw ServerError("no store at \(path): is \(dataDirectory) the server's --data-dir?")
        }
        let store = try await SQLiteStore.open(.init(path: path))
        do {
            let outcome = try await recover(store, username: username, tokenName: tokenName, tokenPath: dataDirectory + "/admin-token")
            await store.close()
            try await audit(outcome, dataDirectory: dataDirectory)
            logger.notice(
                "break-glass: \(outcome.created ? "created" : outcome.wasLocked ? "unlocked" : "kept") \(username) with the admin role and issued token \(outcome.tokenID) (\(tokenName)); the token is in \(outcome.tokenPath)")
            return outcome
        } catch {
            await store.close()
            throw error
        }
    }

    private static func recover(_ store: SQLiteStore, username: String, tokenName: String, tokenPath: String) async throws -> Outcome {
        try await store.probeWriteLock()
        var created = false
        var wasLocked = false
        do {
            let user = try await store.users.get(username)
            wasLocked = user.locked
            var roles = user.roles
            if !roles.contains("admin") { roles.append("admin") }
            _ = try await store.users.update(username, with: UserPatch(roles: roles, locked: false))
        } catch let error as StoreError where error.code == .notFound {
            _ = try await store.users.create(
                NewUser(username: username, fullname: "Administrator", roles: ["admin"], blueprints: ["*"], source: .static))
            created = true
        }
        let issued = try await store.accessTokens.create(NewAccessToken(username: username, name: tokenName))
        try await Offload.run { try FileIO.writePrivate(issued.plaintext + "\n", to: tokenPath) }
        return Outcome(
            username: username, token: issued.plaintext, tokenID: issued.token.id, tokenPath: tokenPath, wasLocked: wasLocked,
            created: created)
    }

    /// One JSON line per recovery in `DATA_DIR/audit.log` (mode 0600): when, who ran it, what changed.
    private static func audit(_ outcome: Outcome, dataDirectory: String) async throws {
        let entry: JSONValue = [
            "time": .string(RFC3339.string(from: Date())), "action": "admin-token", "username": .string(outcome.username),
            "tokenId": .string(outcome.tokenID), "unlocked": .bool(outcome.wasLocked), "created": .bool(outcome.created),
            "by": .string("uid \(getuid()) pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"),
        ]
        let line = String(decoding: entry.serialized(), as: UTF8.self) + "\n"
        try await Offload.run {
            let fd = open(dataDirectory + "/audit.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ServerError("cannot append to \(dataDirectory)/audit.log: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array(line.utf8)
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
                throw ServerError("cannot append to \(dataDirectory)/audit.log")
            }
        }
    }
}
