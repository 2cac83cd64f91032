import Store

/// Who is calling: the user behind the token or session.
public struct Caller: Sendable {
    /// The user record.
    public var user: User
    /// How the caller authenticated (`token:<id>`), for logs.
    public var via: String

    /// The caller's name.
    public var username: String { user.username }

    /// Whether the caller has the `admin` role.
    public var isAdmin: Bool { user.roles.contains("admin") }

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
