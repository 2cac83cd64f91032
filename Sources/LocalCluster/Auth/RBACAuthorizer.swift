import CubicleModel

/// Kubernetes RBAC evaluated over the stored objects: a request is allowed when a RoleBinding in
/// its namespace, or a ClusterRoleBinding, names the user (or one of its groups, or its service
/// account) and the bound Role or ClusterRole has a rule matching the verb, API group, resource
/// (with subresource) and, when the rule lists them, the object name. Only resource requests are
/// authorized: discovery, OpenAPI and version stay open to every authenticated user, as the
/// `system:discovery` ClusterRole makes them on a real cluster.
struct RBACAuthorizer: Sendable {
    let registry: Registry

    /// Whether `user` may perform `verb` on `resource` (`plural` or `plural/subresource`).
    func allows(_ user: UserInfo, verb: String, group: String, resource: String, namespace: String?, name: String?) -> Bool {
        if user.groups.contains("system:masters") { return true }
        let request = Request(verb: verb, group: group, resource: resource, name: name)
        return rules(for: user, namespace: namespace).contains { $0.matches(request) }
    }

    private struct Request {
        let verb: String
        let group: String
        let resource: String
        let name: String?
    }

    private struct Rule {
        let verbs: [String]
        let groups: [String]
        let resources: [String]
        let names: [String]

        init(_ value: JSONValue) {
            func strings(_ key: String) -> [String] { value[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            verbs = strings("verbs")
            groups = strings("apiGroups")
            resources = strings("resources")
            names = strings("resourceNames")
        }

        func matches(_ request: Request) -> Bool {
            guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
            guard groups.contains("*") || groups.contains(request.group) else { return false }
            guard resources.contains(where: { Self.resource($0, covers: request.resource) }) else { return false }
            guard !names.isEmpty else { return true }
            return request.name.map(names.contains) ?? false
        }

        /// `*`, an exact match, `plural/*` for any subresource, `*/sub` for a subresource of any kind.
        static func resource(_ pattern: String, covers resource: String) -> Bool {
            if pattern == "*" || pattern == resource { return true }
            let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return false }
            return pattern == "\(parts[0])/*" || pattern == "*/\(parts[1])"
        }
    }

    private func rules(for user: UserInfo, namespace: String?) -> [Rule] {
        var rules: [Rule] = []
        for binding in objects("clusterrolebindings", namespace: nil) where Self.binds(binding, user) {
            rules += roleRules(binding, namespace: nil)
        }
        if let namespace, !namespace.isEmpty {
            for binding in objects("rolebindings", namespace: namespace) where Self.binds(binding, user) {
                rules += roleRules(binding, namespace: namespace)
            }
        }
        return rules
    }

    private func roleRules(_ binding: JSONValue, namespace: String?) -> [Rule] {
        guard let name = binding[path: ["roleRef", "name"]]?.stringValue else { return [] }
        let role: JSONValue?
        switch binding[path: ["roleRef", "kind"]]?.stringValue {
        case "ClusterRole": role = object("clusterroles", namespace: "", name: name)
        case "Role" where namespace != nil: role = object("roles", namespace: namespace ?? "", name: name)
        default: role = nil
        }
        return (role?["rules"]?.arrayValue ?? []).map(Rule.init)
    }

    private static func binds(_ binding: JSONValue, _ user: UserInfo) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": return name == user.name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let namespace = subject["namespace"]?.stringValue ?? binding.namespace
                return user.name == "system:serviceaccount:\(namespace):\(name)"
            default: return false
            }
        }
    }

    private func objects(_ plural: String, namespace: String?) -> [JSONValue] {
        guard let resource = registry.catalog.resource(id: "\(plural).rbac.authorization.k8s.io") else { return [] }
        return (try? registry.list(resource, namespace: namespace, options: ListOptions()).items) ?? []
    }

    private func object(_ plural: String, namespace: String, name: String) -> JSONValue? {
        guard let resource = registry.catalog.resource(id: "\(plural).rbac.authorization.k8s.io") else { return nil }
        return try? registry.get(resource, namespace: namespace, name: name)
    }
}
