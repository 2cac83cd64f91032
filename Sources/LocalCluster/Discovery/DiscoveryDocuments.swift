import CubicleModel

/// The discovery documents kubectl and client-go read: the legacy `/api`, `/apis`, group and
/// group-version documents, and the aggregated (`apidiscovery.k8s.io/v2`) lists that let a
/// client learn everything in two requests.
struct DiscoveryDocuments: Sendable {
    let catalog: ResourceCatalog

    /// `/api`: the core group's versions.
    func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis`: every named group.
    var groupList: JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(catalog.groups.filter { !$0.name.isEmpty }.map { group(named: $0.name, versions: $0.versions) }),
        ]
    }

    /// `/apis/<group>`, or nil when the group is not served.
    func group(_ name: String) -> JSONValue? {
        guard let entry = catalog.groups.first(where: { $0.name == name && !name.isEmpty }) else { return nil }
        var document = group(named: entry.name, versions: entry.versions)
        document["kind"] = "APIGroup"
        document["apiVersion"] = "v1"
        return document
    }

    private func group(named name: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return [
            "name": .string(name), "versions": .array(entries),
            "preferredVersion": entries.first ?? .null,
        ]
    }

    /// `/api/v1` or `/apis/<group>/<version>`: an APIResourceList, or nil when not served.
    func resourceList(group: String, version: String) -> JSONValue? {
        let resources = catalog.resources(group: group, version: version)
        guard !resources.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in resources {
            var entry: [String: JSONValue] = [
                "name": .string(resource.plural), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.isNamespaced), "kind": .string(resource.kind),
                "verbs": .array(resource.verbs.map(JSONValue.string)),
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSONValue.string)) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSONValue.string)) }
            entries.append(.object(entry))
            for subresource in resource.subresources {
                var sub: [String: JSONValue] = [
                    "name": .string("\(resource.plural)/\(subresource.rawValue)"), "singularName": "",
                    "namespaced": .bool(resource.isNamespaced), "kind": .string(resource.kind),
                    "verbs": .array(subresource.verbs.map(JSONValue.string)),
                ]
                if let response = subresource.responseKind {
                    sub["kind"] = .string(response.kind)
                    if !response.group.isEmpty { sub["group"] = .string(response.group) }
                    sub["version"] = .string(response.version)
                }
                entries.append(.object(sub))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(entries),
        ]
    }

    /// The aggregated discovery list of the core group (`/api`) or all named groups (`/apis`).
    func aggregated(core: Bool) -> JSONValue {
        let groups = catalog.groups.filter { $0.name.isEmpty == core }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(groups.map { aggregatedGroup($0.name, versions: $0.versions) }),
        ]
    }

    private func aggregatedGroup(_ name: String, versions: [String]) -> JSONValue {
        var metadata: [String: JSONValue] = ["creationTimestamp": .null]
        if !name.isEmpty { metadata["name"] = .string(name) }
        return [
            "metadata": .object(metadata),
            "versions": .array(versions.map { version in
                [
                    "version": .string(version), "freshness": "Current",
                    "resources": .array(catalog.resources(group: name, version: version).map(aggregatedResource)),
                ]
            }),
        ]
    }

    private func aggregatedResource(_ resource: ResourceType) -> JSONValue {
        var entry: [String: JSONValue] = [
            "resource": .string(resource.plural),
            "responseKind": ["group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind)],
            "scope": resource.isNamespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(resource.singular),
            "verbs": .array(resource.verbs.map(JSONValue.string)),
        ]
        if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSONValue.string)) }
        if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSONValue.string)) }
        if !resource.subresources.isEmpty {
            entry["subresources"] = .array(resource.subresources.map { subresource in
                let kind = subresource.responseKind ?? (resource.group, resource.version, resource.kind)
                return [
                    "subresource": .string(subresource.rawValue),
                    "responseKind": ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)],
                    "verbs": .array(subresource.verbs.map(JSONValue.string)),
                ]
            })
        }
        return .object(entry)
    }
}
