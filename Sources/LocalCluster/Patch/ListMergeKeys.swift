import CubicleModel

/// Which lists merge element by element instead of being replaced, shared by strategic merge
/// patch and server-side apply. Keyed by field name wherever it appears: an approximation of the
/// per-type OpenAPI extensions that holds for the built-in kinds Cubicle uses.
enum ListMergeKeys {
    /// Lists of objects merged by a key field.
    private static let keyed: [String: [String]] = [
        "containers": ["name"], "initContainers": ["name"], "ephemeralContainers": ["name"],
        "volumes": ["name"], "env": ["name"], "imagePullSecrets": ["name"], "resourceClaims": ["name"],
        "volumeMounts": ["mountPath"], "volumeDevices": ["devicePath"], "conditions": ["type"],
        "ownerReferences": ["uid"], "hostAliases": ["ip"], "topologySpreadConstraints": ["topologyKey"],
        "containerStatuses": ["name"], "initContainerStatuses": ["name"], "ephemeralContainerStatuses": ["name"],
        "secrets": ["name"], "subsets": [], "readinessGates": ["conditionType"], "podIPs": ["ip"],
    ]

    /// Lists of scalars merged as sets.
    private static let sets: Set<String> = ["finalizers"]

    /// The key fields of list `field` whose elements look like `elements`, or nil for atomic lists.
    /// `ports` is keyed by `containerPort` in containers and by `port` in services.
    static func keyFields(for field: String, elements: [JSONValue]) -> [String]? {
        if field == "ports" {
            let usesContainerPort = elements.contains { $0["containerPort"] != nil }
            return usesContainerPort ? ["containerPort"] : ["port"]
        }
        guard let fields = keyed[field], !fields.isEmpty else { return nil }
        return fields
    }

    /// True when list `field` is a set of scalars.
    static func isSet(_ field: String) -> Bool { sets.contains(field) }

    /// The key of `element` under `fields` (an object of the key fields), or nil when it has none.
    static func key(of element: JSONValue, fields: [String]) -> JSONValue? {
        var members: [String: JSONValue] = [:]
        for field in fields {
            guard let value = element[field], !value.isNull else { return nil }
            members[field] = value
        }
        return .object(members)
    }
}
