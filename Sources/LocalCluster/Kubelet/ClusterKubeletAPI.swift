import CubicleModel

/// The `KubeletAPI` of a running cluster, over its registry; writes are recorded as field
/// manager `kubelet`.
struct ClusterKubeletAPI: KubeletAPI {
    let registry: Registry
    let faults: ClusterFaults
    let nodeName = LocalNode.name

    private var context: WriteContext { WriteContext(manager: "kubelet") }

    func pods(onNode node: String?) -> (pods: [JSONValue], resourceVersion: String) {
        let page = (try? registry.list(ResourceCatalog.pods, namespace: nil, options: options(node))) ?? ListPage(items: [], resourceVersion: 0)
        return (page.items, String(page.resourceVersion))
    }

    func watchPods(onNode node: String?) -> PodWatch {
        let filter = ObjectFilter(resource: ResourceCatalog.pods, namespace: nil, fields: options(node).fields)
        return PodWatch(items: registry.store.watch(filter, from: .currentState, inProcess: true).items)
    }

    func pod(namespace: String, name: String) -> JSONValue? {
        try? registry.get(ResourceCatalog.pods, namespace: namespace, name: name)
    }

    func bindPod(namespace: String, name: String, node: String) throws -> JSONValue {
        try registry.bind(namespace: namespace, name: name, node: node, context: context)
    }

    func updatePodStatus(namespace: String, name: String, uid: String?, status: JSONValue) throws -> JSONValue {
        try registry.updatePodStatus(namespace: namespace, name: name, uid: uid, status: status, context: context)
    }

    func finishPodDeletion(namespace: String, name: String, uid: String?) throws {
        try registry.finishPodDeletion(namespace: namespace, name: name, uid: uid)
    }

    func recordEvent(pod: JSONValue, type: String, reason: String, message: String, fieldPath: String?) throws -> JSONValue {
        try registry.recordEvent(
            about: pod, resource: ResourceCatalog.pods, type: type, reason: reason, message: message, fieldPath: fieldPath,
            component: "kubelet", host: nodeName
        )
    }

    func configMap(namespace: String, name: String) -> JSONValue? {
        try? registry.get(ResourceCatalog.configMaps, namespace: namespace, name: name)
    }

    func secret(namespace: String, name: String) -> JSONValue? {
        try? registry.get(ResourceCatalog.secrets, namespace: namespace, name: name)
    }

    func persistentVolumeClaim(namespace: String, name: String) -> JSONValue? {
        try? registry.get(ResourceCatalog.persistentVolumeClaims, namespace: namespace, name: name)
    }

    func updatePersistentVolumeClaimStatus(namespace: String, name: String, status: JSONValue) throws -> JSONValue {
        var claim = try registry.get(ResourceCatalog.persistentVolumeClaims, namespace: namespace, name: name)
        claim["status"] = status
        claim.setMeta("resourceVersion", nil)
        return try registry.update(
            ResourceCatalog.persistentVolumeClaims, namespace: namespace, name: name, body: claim, statusOnly: true,
            context: context
        )
    }

    func podFault(for pod: JSONValue) -> PodFaultRule? {
        faults.podFault(for: pod)
    }

    private func options(_ node: String?) -> ListOptions {
        var options = ListOptions()
        if let node { options.fields = FieldSelector(terms: [.init(field: "spec.nodeName", value: node, negated: false)]) }
        return options
    }
}
