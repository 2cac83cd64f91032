import CubicleModel
import Foundation
import Synchronization

/// `AccessTokenStore` on SQLite.
final class SQLiteAccessTokenStore: AccessTokenStore {
    private let database: SQLiteDatabase
    private let time: any TimeSource
    /// Uses closer together than this (seconds) record only the first.
    private let touchInterval: Double
    /// The last recorded use per token id, so frequent requests do not each cost a write.
    private let recentTouches = Mutex<[String: Date]>([:])
    private static let recentTouchLimit = 10_000

    private static let columns = "id, username, name, scopes, preview, created_at, expires_at, last_used_at"

    init(database: SQLiteDatabase, time: any TimeSource, touchInterval: Double) {
        self.database = database
        self.time = time
        self.touchInterval = touchInterval
    }

    func create(_ request: NewAccessToken) async throws -> IssuedAccessToken {
        let plaintext = AccessTokenFormat.generate()
        let digest = Secrets.sha256(plaintext)
        let token = AccessToken(
            id: Secrets.newID(), username: request.username, name: request.name, scopes: request.scopes,
            preview: AccessTokenFormat.preview(of: plaintext), createdAt: time.now.storePrecision,
            expiresAt: request.expiresAt?.storePrecision, lastUsedAt: nil
        )
        try await database.write { connection in
            guard try connection.queryFirst("SELECT 1 FROM users WHERE username = ?", [token.username]) != nil else {
                throw StoreError.notFound("user \(token.username) not found")
            }
            try connection.run(
                "INSERT INTO access_tokens (\(Self.columns), token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    token.id, token.username, token.name, StringList.encode(token.scopes), token.preview,
                    token.createdAt, token.expiresAt, token.lastUsedAt, digest,
                ]
            )
        }
        return IssuedAccessToken(token: token, plaintext: plaintext)
    }

    func find(presented: String) async throws -> AccessToken? {
        guard AccessTokenFormat.isWellFormed(presented) else { return nil }
        // Equality on the digest leaks nothing useful by timing: finding a matching digest
        // prefix does not help find a token.
        let digest = Secrets.sha256(presented)
        let now = time.now
        return try await database.read { connection in
            try connection.queryFirst(
                "SELECT \(Self.columns) FROM access_tokens WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)",
                [digest, now]
            ).map(Self.token(from:))
        }
    }

    func touch(id: String, at: Date) async throws {
        let interval = touchInterval
        let recent = recentTouches.withLock { touches -> Bool in
            if let last = touches[id], at >= last, at.timeIntervalSince(last) < interval { return true }
            if touches.count >= Self.recentTouchLimit { touches.removeAll() }
            touches[id] = at
            return false
        }
        if recent { return }
        try await database.write { connection in
            try connection.run(
                "UPDATE access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                [at, id, at]
            )
        }
    }

    func revoke(id: String, username: String) async throws {
        try await database.write { connection in
            guard try connection.run("DELETE FROM access_tokens WHERE id = ? AND username = ?", [id, username]) > 0 else {
                throw StoreError.notFound("token \(id) not found")
            }
        }
        recentTouches.withLock { _ = $0.removeValue(forKey: id) }
    }

    func list(username: String) async throws -> [AccessToken] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM access_tokens WHERE username = ? ORDER BY created_at DESC, id",
                [username]
            ).map(Self.token(from:))
        }
    }

    private static func token(from row: SQLiteRow) throws -> AccessToken {
        var columns = row.columns
        return AccessToken(
            id: try columns.next(),
            username: try columns.next(),
            name: try columns.next(),
            scopes: try StringList.decode(try columns.next(), column: "access_tokens.scopes"),
            preview: try columns.next(),
            createdAt: try columns.next(),
            expiresAt: try columns.next(),
            lastUsedAt: try columns.next()
        )
    }
}
