import CubicleModel
import Foundation

/// `WebSessionStore` on SQLite.
struct SQLiteWebSessionStore: WebSessionStore {
    let database: SQLiteDatabase
    let time: any TimeSource

    /// Random bytes in a cookie value and in a CSRF secret.
    static let secretByteCount = 32
    private static let columns = "id, username, provider, csrf_secret, created_at, expires_at, last_seen_at"

    /// The stored handle of a cookie value.
    static func id(forCookieValue value: String) -> String { Secrets.hex(Secrets.sha256(value)) }

    func create(username: String, provider: String, expiresAt: Date) async throws -> IssuedWebSession {
        let cookieValue = Secrets.randomToken(byteCount: Self.secretByteCount)
        let now = time.now.storePrecision
        let session = WebSession(
            id: Self.id(forCookieValue: cookieValue), username: username, provider: provider,
            csrfSecret: Secrets.randomToken(byteCount: Self.secretByteCount), createdAt: now,
            expiresAt: expiresAt.storePrecision, lastSeenAt: now
        )
        try await database.write { connection in
            guard try connection.queryFirst("SELECT 1 FROM users WHERE username = ?", [username]) != nil else {
                throw StoreError.notFound("user \(username) not found")
            }
            try connection.run(
                "INSERT INTO web_sessions (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    session.id, session.username, session.provider, session.csrfSecret, session.createdAt,
                    session.expiresAt, session.lastSeenAt,
                ]
            )
        }
        return IssuedWebSession(session: session, cookieValue: cookieValue)
    }

    func find(cookieValue: String) async throws -> WebSession? {
        let length = Secrets.base64URLLength(byteCount: Self.secretByteCount)
        guard Secrets.isBase64URL(cookieValue[...], length: length) else { return nil }
        let id = Self.id(forCookieValue: cookieValue)
        let now = time.now
        return try await database.read { connection in
            try connection.queryFirst(
                "SELECT \(Self.columns) FROM web_sessions WHERE id = ? AND expires_at > ?", [id, now]
            ).map(Self.session(from:))
        }
    }

    func touch(id: String, at: Date, expiresAt: Date?) async throws {
        try await database.write { connection in
            let changed = try connection.run(
                "UPDATE web_sessions SET last_seen_at = MAX(last_seen_at, ?), expires_at = COALESCE(?, expires_at) "
                    + "WHERE id = ? AND expires_at > ?",
                [at, expiresAt, id, at]
            )
            guard changed > 0 else { throw StoreError.notFound("session not found") }
        }
    }

    func delete(id: String) async throws {
        try await database.write { connection in
            try connection.run("DELETE FROM web_sessions WHERE id = ?", [id])
        }
    }

    func deleteAll(username: String) async throws -> Int {
        try await database.write { connection in
            try connection.run("DELETE FROM web_sessions WHERE username = ?", [username])
        }
    }

    func deleteExpired(now: Date) async throws -> Int {
        try await database.write { connection in
            try connection.run("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
        }
    }

    private static func session(from row: SQLiteRow) throws -> WebSession {
        var columns = row.columns
        return WebSession(
            id: try columns.next(),
            username: try columns.next(),
            provider: try columns.next(),
            csrfSecret: try columns.next(),
            createdAt: try columns.next(),
            expiresAt: try columns.next(),
            lastSeenAt: try columns.next()
        )
    }
}
