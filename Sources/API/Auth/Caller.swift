import Store

/// Who is calling: the user behind the token or session, and what the credential allows.
public struct Caller: Sendable {
    /// How the caller authenticated.
    public enum Credential: Sendable {
        /// A personal access token (its id).
        case token(id: String)
        /// A browser session.
        case session(WebSession)
        /// An internal JWT issued to a workspace process.
        case internalToken
    }

    /// The user record.
    public var user: User
    /// How the caller authenticated.
    public var credential: Credential
    /// What the credential may do; nil means everything the user may do. Scopes only narrow.
    public var scopes: [String]?

    /// Creates a caller.
    public init(user: User, credential: Credential, scopes: [String]? = nil) {
        self.user = user
        self.credential = credential
        self.scopes = scopes
    }

    /// How the caller authenticated (`token:<id>`, `session`, `jwt`), for logs.
    public var via: String {
        switch credential {
        case .token(let id): "token:\(id)"
        case .session: "session"
        case .internalToken: "jwt"
        }
    }

    /// The caller's name.
    public var username: String { user.username }

    /// Whether the caller has the `admin` role (and the credential does not narrow it away).
    public var isAdmin: Bool { user.roles.contains("admin") && AccessPolicy.permits(scopes, "admin") }

    /// Whether the caller may see or act on what `username` owns.
    func mayAccess(owner username: String) -> Bool { isAdmin || username == self.username }

    /// Resolves a `:u` path segment (`me` is the caller); another user's name needs admin, and a
    /// non-admin asking for someone else gets 404 so names do not leak.
    func resolve(_ segment: String) throws -> String {
        let name = segment == "me" ? username : segment
        guard mayAccess(owner: name) else { throw APIError.notFound("user \"\(name.prefix(64))\" not found") }
        return name
    }

    /// Throws 403 unless the caller is an admin.
    func requireAdmin() throws {
        guard isAdmin else { throw APIError.forbidden("this needs the admin role") }
    }
}
