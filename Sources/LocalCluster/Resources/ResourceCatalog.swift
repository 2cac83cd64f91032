/// Every kind the API server serves, with lookups by URL coordinates and by id.
struct ResourceCatalog: Sendable {
    let all: [ResourceType]
    private let byID: [String: ResourceType]

    init(_ resources: [ResourceType]) {
        all = resources
        byID = Dictionary(resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The resource `plural` of `group`/`version`, if served.
    func resource(group: String, version: String, plural: String) -> ResourceType? {
        guard let resource = byID[group.isEmpty ? plural : "\(plural).\(group)"], resource.version == version else { return nil }
        return resource
    }

    /// The resource with `id` (`pods`, `deployments.apps`).
    func resource(id: String) -> ResourceType? { byID[id] }

    /// The served groups in discovery order (core first), each with its versions.
    var groups: [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for resource in all {
            if versions[resource.group] == nil { order.append(resource.group) }
            if !(versions[resource.group]?.contains(resource.version) ?? false) {
                versions[resource.group, default: []].append(resource.version)
            }
        }
        return order.map { ($0, versions[$0] ?? []) }
    }

    /// The resources of one group version, in catalog order.
    func resources(group: String, version: String) -> [ResourceType] {
        all.filter { $0.group == group && $0.version == version }
    }
}

extension ResourceCatalog {
    static let pods = ResourceType(
        "", "v1", "pods", kind: "Pod", shortNames: ["po"], categories: ["all"],
        subresources: [.status, .log, .binding], strategy: PodStrategy()
    )
    static let namespaces = ResourceType(
        "", "v1", "namespaces", kind: "Namespace", scope: .cluster, shortNames: ["ns"], subresources: [.status],
        names: .label, strategy: NamespaceStrategy()
    )
    static let nodes = ResourceType(
        "", "v1", "nodes", kind: "Node", scope: .cluster, shortNames: ["no"], subresources: [.status],
        strategy: NodeStrategy()
    )
    static let events = ResourceType("", "v1", "events", kind: "Event", shortNames: ["ev"], strategy: EventStrategy())
    static let serviceAccounts = ResourceType(
        "", "v1", "serviceaccounts", kind: "ServiceAccount", shortNames: ["sa"], subresources: [.token],
        strategy: ServiceAccountStrategy()
    )
    static let configMaps = ResourceType(
        "", "v1", "configmaps", kind: "ConfigMap", shortNames: ["cm"], strategy: ConfigMapStrategy()
    )
    static let secrets = ResourceType("", "v1", "secrets", kind: "Secret", strategy: SecretStrategy())
    static let persistentVolumeClaims = ResourceType(
        "", "v1", "persistentvolumeclaims", kind: "PersistentVolumeClaim", shortNames: ["pvc"],
        subresources: [.status], strategy: PersistentVolumeClaimStrategy()
    )

    /// The built-in kinds. One line per kind; behaviour beyond storage lives in its strategy.
    static let builtin = ResourceCatalog([
        pods, namespaces, nodes, events, serviceAccounts, configMaps, secrets, persistentVolumeClaims,
        ResourceType(
            "", "v1", "services", kind: "Service", shortNames: ["svc"], categories: ["all"], subresources: [.status],
            names: .label1035, strategy: ServiceStrategy()
        ),
        ResourceType("", "v1", "endpoints", kind: "Endpoints", shortNames: ["ep"]),
        ResourceType("networking.k8s.io", "v1", "networkpolicies", kind: "NetworkPolicy", shortNames: ["netpol"]),
        ResourceType("networking.k8s.io", "v1", "ingresses", kind: "Ingress", shortNames: ["ing"], subresources: [.status]),
        ResourceType("coordination.k8s.io", "v1", "leases", kind: "Lease"),
        ResourceType(
            "apps", "v1", "deployments", kind: "Deployment", shortNames: ["deploy"], categories: ["all"],
            subresources: [.status], strategy: DeploymentStrategy()
        ),
        ResourceType("rbac.authorization.k8s.io", "v1", "roles", kind: "Role", names: .pathSegment),
        ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", kind: "RoleBinding", names: .pathSegment),
        ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", kind: "ClusterRole", scope: .cluster, names: .pathSegment),
        ResourceType(
            "rbac.authorization.k8s.io", "v1", "clusterrolebindings", kind: "ClusterRoleBinding", scope: .cluster,
            names: .pathSegment
        ),
    ])
}
