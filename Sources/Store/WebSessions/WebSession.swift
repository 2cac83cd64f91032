import Foundation

/// A browser login. The cookie value is secret and never stored; `id` is its SHA-256 in hex.
public struct WebSession: Sendable, Hashable {
    /// The SHA-256 (hex) of the cookie value: a handle that is safe to log and to pass around.
    public var id: String
    /// Who is signed in.
    public var username: String
    /// The provider that signed them in (`oidc/<id>`).
    public var provider: String
    /// The secret the browser must echo in state-changing requests (double-submit CSRF defence).
    public var csrfSecret: String
    /// When the session started.
    public var createdAt: Date
    /// When it stops working.
    public var expiresAt: Date
    /// When it was last used.
    public var lastSeenAt: Date

    /// Creates a session record.
    public init(
        id: String, username: String, provider: String, csrfSecret: String, createdAt: Date, expiresAt: Date,
        lastSeenAt: Date
    ) {
        self.id = id
        self.username = username
        self.provider = provider
        self.csrfSecret = csrfSecret
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A freshly created session and the cookie value that opens it (its only copy).
public struct IssuedWebSession: Sendable {
    /// The stored record.
    public var session: WebSession
    /// The `cubicle-session` cookie value.
    public var cookieValue: String
}

/// Browser sessions.
public protocol WebSessionStore: Sendable {
    /// Starts a session for an existing user that lasts until `expiresAt`.
    func create(username: String, provider: String, expiresAt: Date) async throws -> IssuedWebSession

    /// The live session opened by `cookieValue`, or nil when malformed, unknown or expired.
    func find(cookieValue: String) async throws -> WebSession?

    /// Records use at `at` and, when given, moves the expiry (sliding sessions); `not_found` if gone.
    func touch(id: String, at: Date, expiresAt: Date?) async throws

    /// Ends one session (logout); ending a missing session is not an error.
    func delete(id: String) async throws

    /// Ends every session of `username`; returns how many there were.
    func deleteAll(username: String) async throws -> Int

    /// Deletes sessions whose expiry is at or before `now`; returns how many went.
    func deleteExpired(now: Date) async throws -> Int
}
