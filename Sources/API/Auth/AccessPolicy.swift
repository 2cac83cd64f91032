import HTTPTypes

/// The one place that decides whether a credential's scopes allow a route. Ownership (another
/// user's things answer 404, admin-only routes 403) is decided by `Caller`; this decides what a
/// narrowed token may reach at all. Scopes are `<area>:read`, `<area>:write`, `<area>:*`, a bare
/// `<area>` (same as `<area>:*`), `admin`, or `*`.
public enum AccessPolicy {
    /// The areas scopes name.
    public static let areas = ["workspace", "files", "shell", "user", "users", "tokens", "credentials", "admin", "metrics"]

    /// The scope a request to `route` needs, e.g. `workspace:read`.
    public static func requiredScope(for route: APIRoute) -> String {
        let read = route.method == .get || route.method == .head
        return "\(area(of: route.path)):\(read ? "read" : "write")"
    }

    /// The area a route path belongs to.
    static func area(of path: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        if segments.contains(where: { $0.hasPrefix("file") || $0 == "upload" || $0 == "uploads" }) { return "files" }
        // The CoCalc API runs commands (system.exec): it needs what a shell needs.
        if segments.contains(where: { $0 == "shell" || $0 == "exec" || $0 == "sessions" || $0 == "conat" }) { return "shell" }
        if segments.contains("tokens") { return "tokens" }
        if segments.contains("credentials") { return "credentials" }
        switch segments.first {
        case "workspaces", "jobs", "apps": return "workspace"
        case "me": return "user"
        case "users": return segments.count == 1 || segments.count == 2 ? "users" : "user"
        default: return segments.first ?? "*"
        }
    }

    /// Whether `scopes` (nil: unrestricted) include `required`.
    public static func permits(_ scopes: [String]?, _ required: String) -> Bool {
        guard let scopes else { return true }
        let area = required.split(separator: ":").first.map(String.init) ?? required
        return scopes.contains { scope in
            scope == "*" || scope == required || scope == area || scope == "\(area):*"
                // write implies read within an area.
                || (required.hasSuffix(":read") && scope == "\(area):write")
        }
    }

    /// Whether `scope` is well-formed.
    public static func isValidScope(_ scope: String) -> Bool {
        if scope == "*" { return true }
        let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
        guard let area = parts.first, areas.contains(String(area)) else { return false }
        return parts.count == 1 || (parts.count == 2 && ["read", "write", "*"].contains(parts[1]))
    }

    /// Throws 403 when the caller's credential is narrowed away from `route`.
    static func authorize(_ route: APIRoute, _ caller: Caller?) throws {
        guard !route.isPublic, let caller else { return }
        let required = requiredScope(for: route)
        guard permits(caller.scopes, required) else {
            throw APIError.forbidden("this token's scopes do not include \(required)")
        }
    }

    /// Profile fields a user may change on their own profile; admins may change every field.
    public static let selfEditableProfileFields: Set<String> = ["fullname", "email", "shell"]

    /// Throws 403 unless `caller` may change `fields` of a profile `Caller.resolve` let them reach.
    static func authorizeProfileChange(_ fields: Set<String>, by caller: Caller) throws {
        guard !caller.isAdmin else { return }
        let refused = fields.subtracting(selfEditableProfileFields)
        guard refused.isEmpty else { throw APIError.forbidden("only an admin may change \(refused.sorted().joined(separator: ", "))") }
    }
}
