/// A Kubernetes resource (or subresource) as the REST API addresses it: group, version, plural
/// name, kind and scope. Given at runtime for unstructured objects; named by `KubeObject` types.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The API version, e.g. `v1`.
    public var version: String
    /// The plural resource name used in paths, e.g. `pods`.
    public var resource: String
    /// The kind of the objects, e.g. `Pod`.
    public var kind: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool
    /// The subresource addressed, e.g. `status`; nil for the resource itself.
    public var subresource: String?

    /// Describes a resource.
    public init(group: String, version: String, resource: String, kind: String, namespaced: Bool, subresource: String? = nil) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
        self.subresource = subresource
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The resource name as RBAC rules spell it: `pods` or `pods/status`.
    public var rbacResource: String {
        guard let subresource else { return resource }
        return "\(resource)/\(subresource)"
    }

    /// `resource.group/version`, with `/subresource` when set.
    public var description: String {
        let name = group.isEmpty ? resource : "\(resource).\(group)"
        return subresource.map { "\(name)/\(version)/\($0)" } ?? "\(name)/\(version)"
    }

    /// The same resource addressed through a subresource.
    public func subresource(_ name: String) -> ResourceType {
        var copy = self
        copy.subresource = name
        return copy
    }

    /// The resource without any subresource.
    public var parent: ResourceType {
        var copy = self
        copy.subresource = nil
        return copy
    }

    /// The request path for a collection (`name == nil`) or one object, with the subresource
    /// appended for a named object; every segment is percent-encoded.
    public func path(namespace: String?, name: String?) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace {
            path += "/namespaces/" + PercentEncoding.pathSegment(namespace)
        }
        path += "/" + resource
        if let name {
            path += "/" + PercentEncoding.pathSegment(name)
            if let subresource { path += "/" + subresource }
        }
        return path
    }
}

extension ResourceType {
    /// core/v1 pods.
    public static let pods = ResourceType(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)
    /// core/v1 pods/status.
    public static let podStatus = pods.subresource("status")
    /// core/v1 secrets.
    public static let secrets = ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true)
    /// core/v1 configmaps.
    public static let configMaps = ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true)
    /// core/v1 persistentvolumeclaims.
    public static let persistentVolumeClaims = ResourceType(
        group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true)
    /// core/v1 services.
    public static let services = ResourceType(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true)
    /// core/v1 events.
    public static let events = ResourceType(group: "", version: "v1", resource: "events", kind: "Event", namespaced: true)
    /// core/v1 namespaces (cluster-scoped).
    public static let namespaces = ResourceType(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    /// core/v1 serviceaccounts.
    public static let serviceAccounts = ResourceType(
        group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    /// core/v1 serviceaccounts/token (the TokenRequest subresource).
    public static let serviceAccountToken = serviceAccounts.subresource("token")
    /// networking.k8s.io/v1 networkpolicies.
    public static let networkPolicies = ResourceType(
        group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true)
    /// coordination.k8s.io/v1 leases.
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true)

    /// Every resource Cubicle uses, without subresources: the registry unstructured objects are
    /// resolved against and the RBAC rules are derived from.
    public static let cubicleResources: [ResourceType] = [
        .pods, .secrets, .configMaps, .persistentVolumeClaims, .services, .events, .namespaces, .serviceAccounts,
        .networkPolicies, .leases,
    ]

    /// Every subresource Cubicle uses.
    public static let cubicleSubresources: [ResourceType] = [.podStatus, .serviceAccountToken]

    /// The registered resource whose objects have this `apiVersion` and `kind`, or nil.
    public static func registered(apiVersion: String, kind: String) -> ResourceType? {
        cubicleResources.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }
}
