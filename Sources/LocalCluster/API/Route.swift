/// Where a request goes, decided from its path alone.
enum Route: Sendable {
    case version
    case health
    case coreVersions
    case groupList
    case group(String)
    case resourceList(group: String, version: String)
    case openAPIv2
    case openAPIv3Index
    case openAPIv3(String)
    case faults([String])
    case resource(ResourceRoute)
    case notFound
}

/// A request for objects of one resource.
struct ResourceRoute: Sendable {
    let resource: ResourceType
    /// The namespace from the path; nil for cluster-scoped kinds and all-namespace lists.
    let namespace: String?
    let name: String?
    let subresource: ResourceType.Subresource?
    /// The deprecated `/watch/` path prefix was used.
    let watchPath: Bool
}

enum Router {
    /// The prefix of the test-only fault endpoints.
    static let faultPrefix = "_localcluster"

    /// Routes a path.
    static func route(_ segments: [String], catalog: ResourceCatalog) -> Route {
        switch segments.first {
        case nil: return .notFound
        case "version": return segments.count == 1 ? .version : .notFound
        case "healthz", "livez", "readyz": return .health
        case "openapi":
            if segments == ["openapi", "v2"] { return .openAPIv2 }
            if segments == ["openapi", "v3"] { return .openAPIv3Index }
            if segments.count > 2, segments[1] == "v3" { return .openAPIv3(segments.dropFirst(2).joined(separator: "/")) }
            return .notFound
        case faultPrefix:
            return segments.count >= 2 && segments[1] == "faults" ? .faults(Array(segments.dropFirst(2))) : .notFound
        case "api":
            if segments.count == 1 { return .coreVersions }
            guard segments[1] == "v1" else { return .notFound }
            return resourcePath(group: "", version: "v1", rest: Array(segments.dropFirst(2)), catalog: catalog)
        case "apis":
            if segments.count == 1 { return .groupList }
            if segments.count == 2 {
                return catalog.groups.contains { $0.name == segments[1] && !$0.name.isEmpty } ? .group(segments[1]) : .notFound
            }
            return resourcePath(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)), catalog: catalog)
        default:
            return .notFound
        }
    }

    private static func resourcePath(group: String, version: String, rest: [String], catalog: ResourceCatalog) -> Route {
        guard catalog.groups.contains(where: { $0.name == group && $0.versions.contains(version) }) else { return .notFound }
        if rest.isEmpty { return .resourceList(group: group, version: version) }
        var rest = rest[...]
        var watchPath = false
        if rest.first == "watch" {
            watchPath = true
            rest = rest.dropFirst()
        }
        func resource(_ plural: String) -> ResourceType? { catalog.resource(group: group, version: version, plural: plural) }
        func subresource(_ text: String?, of resource: ResourceType) -> ResourceType.Subresource?? {
            guard let text else { return .some(nil) }
            guard let sub = ResourceType.Subresource(rawValue: text), resource.subresources.contains(sub) else { return nil }
            return .some(sub)
        }
        let parts = Array(rest)
        // /namespaces/{ns}/{plural}[/{name}[/{sub}]]
        if parts.count >= 3, parts[0] == "namespaces", let target = resource(parts[2]), target.isNamespaced {
            guard parts.count <= 5, !parts[1].isEmpty else { return .notFound }
            let name = parts.count >= 4 ? parts[3] : nil
            guard let sub = subresource(parts.count == 5 ? parts[4] : nil, of: target), !(watchPath && sub != nil) else {
                return .notFound
            }
            return .resource(ResourceRoute(resource: target, namespace: parts[1], name: name, subresource: sub, watchPath: watchPath))
        }
        // /{plural}[/{name}[/{sub}]] (including /namespaces/{name}/status)
        guard let target = resource(parts[0]), parts.count <= 3 else { return .notFound }
        let name = parts.count >= 2 ? parts[1] : nil
        if target.isNamespaced && name != nil { return .notFound }
        guard let sub = subresource(parts.count == 3 ? parts[2] : nil, of: target), !(watchPath && sub != nil) else {
            return .notFound
        }
        return .resource(ResourceRoute(resource: target, namespace: nil, name: name, subresource: sub, watchPath: watchPath))
    }
}
