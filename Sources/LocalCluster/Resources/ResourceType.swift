/// One kind the API server stores: its REST coordinates, discovery facts and the strategy that
/// gives it behaviour. Adding a kind is one `ResourceType(...)` line in `ResourceCatalog.builtin`.
struct ResourceType: Sendable {
    /// Whether objects live in a namespace.
    enum Scope: Sendable { case namespaced, cluster }

    /// The subresources the server implements.
    enum Subresource: String, Sendable, CaseIterable {
        case status, log, token, binding
    }

    /// How object names are validated.
    enum NameRule: Sendable {
        /// RFC 1123 subdomain (most kinds).
        case subdomain
        /// RFC 1123 label (namespaces).
        case label
        /// RFC 1035 label (services).
        case label1035
        /// Anything that fits in a path segment (RBAC kinds).
        case pathSegment
    }

    let group: String
    let version: String
    let plural: String
    let kind: String
    let scope: Scope
    let shortNames: [String]
    let categories: [String]
    let subresources: [Subresource]
    let nameRule: NameRule
    let strategy: any ResourceStrategy

    init(
        _ group: String,
        _ version: String,
        _ plural: String,
        kind: String,
        scope: Scope = .namespaced,
        shortNames: [String] = [],
        categories: [String] = [],
        subresources: [Subresource] = [],
        names: NameRule = .subdomain,
        strategy: any ResourceStrategy = GenericStrategy()
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.scope = scope
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.nameRule = names
        self.strategy = strategy
    }

    /// `pods` for core kinds, `deployments.apps` otherwise; unique across the catalog.
    var id: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The plural as error messages qualify it (`deployments.apps`).
    var qualifiedPlural: String { id }

    /// `v1` or `apps/v1`.
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The lower-case singular name discovery reports.
    var singular: String { kind.lowercased() }

    /// True for namespaced kinds.
    var isNamespaced: Bool { scope == .namespaced }

    /// True when writes to the main resource leave `status` alone.
    var hasStatus: Bool { subresources.contains(.status) }

    /// The verbs discovery advertises for the main resource.
    var verbs: [String] { ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }

    /// The URL path prefix of the group version (`/api/v1`, `/apis/apps/v1`).
    var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
}

extension ResourceType: Hashable {
    static func == (lhs: ResourceType, rhs: ResourceType) -> Bool { lhs.id == rhs.id }
    func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension ResourceType.Subresource {
    /// The verbs discovery advertises for this subresource.
    var verbs: [String] {
        switch self {
        case .status: ["get", "patch", "update"]
        case .log: ["get"]
        case .token, .binding: ["create"]
        }
    }

    /// The kind a subresource request returns, when it differs from the parent's.
    var responseKind: (group: String, version: String, kind: String)? {
        switch self {
        case .status, .log: nil
        case .token: ("authentication.k8s.io", "v1", "TokenRequest")
        case .binding: ("", "v1", "Binding")
        }
    }
}
