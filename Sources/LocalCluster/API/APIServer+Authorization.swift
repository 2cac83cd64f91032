import CubicleModel

extension APIServer {
    /// Decides a resource request (when RBAC is enforced), tells the observer, and throws 403 with
    /// the message the Kubernetes apiserver gives.
    func authorize(_ user: UserInfo, verb: String, _ route: ResourceRoute, resourceName: String) throws(LocalClusterError) {
        guard access.isActive else { return }
        let resource = route.resource
        let namespace = resource.isNamespaced ? route.namespace : nil
        let allowed = access.authorizer?.allows(
            user, verb: verb, group: resource.group, resource: resourceName, namespace: namespace, name: route.name
        ) ?? true
        access.observer?(
            AccessRecord(
                user: user.name, groups: user.groups, verb: verb, group: resource.group, resource: resourceName,
                namespace: namespace, name: route.name, allowed: allowed
            )
        )
        guard !allowed else { return }
        let subject = route.name.map { "\(resource.qualifiedPlural) \"\($0)\"" } ?? resource.qualifiedPlural
        let scope = namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        throw .forbidden(
            "\(subject) is forbidden: User \"\(user.name)\" cannot \(verb) resource \"\(resourceName)\" in API group \"\(resource.group)\"\(scope)"
        )
    }
}
