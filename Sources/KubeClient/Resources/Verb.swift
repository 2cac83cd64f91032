/// An API verb as RBAC rules name it; every request the client sends is one of these.
public enum Verb: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Read one object.
    case get
    /// Read a collection.
    case list
    /// Stream changes to a collection.
    case watch
    /// Create an object (POST), including the `serviceaccounts/token` subresource.
    case create
    /// Replace an object (PUT).
    case update
    /// Merge-patch or server-side-apply an object (PATCH).
    case patch
    /// Delete one object.
    case delete
    /// Delete every object matching a selector.
    case deletecollection

    /// The verb as RBAC spells it.
    public var description: String { rawValue }

    /// The HTTP method carrying this verb.
    public var httpMethod: String {
        switch self {
        case .get, .list, .watch: "GET"
        case .create: "POST"
        case .update: "PUT"
        case .patch: "PATCH"
        case .delete, .deletecollection: "DELETE"
        }
    }
}
