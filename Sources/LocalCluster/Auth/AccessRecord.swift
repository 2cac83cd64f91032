/// How the API server decides what an authenticated user may do.
public enum AuthorizationMode: Sendable, Hashable {
    /// Every authenticated request is allowed (the embedded cluster's default: one trusted user).
    case allowAll
    /// Kubernetes RBAC over the stored Roles, ClusterRoles and their bindings; `system:masters`
    /// may do anything. Lets tests prove that a Role grants exactly what a client needs.
    case rbac
}

/// One authorization decision on a resource request, in RBAC's terms.
public struct AccessRecord: Sendable, Hashable {
    /// The user name (`system:serviceaccount:ns:sa`).
    public var user: String
    /// The user's groups.
    public var groups: [String]
    /// The Kubernetes verb (`get`, `list`, `watch`, `create`, `patch`, `deletecollection`…).
    public var verb: String
    /// The API group (empty for core).
    public var group: String
    /// The resource plural, with `/subresource` when there is one (`pods/status`).
    public var resource: String
    /// The namespace, nil for cluster-scoped and all-namespace requests.
    public var namespace: String?
    /// The object name, when the request names one.
    public var name: String?
    /// Whether the request was allowed.
    public var allowed: Bool

    /// Creates a record.
    public init(
        user: String, groups: [String], verb: String, group: String, resource: String, namespace: String?, name: String?,
        allowed: Bool
    ) {
        self.user = user
        self.groups = groups
        self.verb = verb
        self.group = group
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.allowed = allowed
    }
}
