import CubicleModel

extension StoreState {
    /// The objects of `resource` in `namespace` as they were at `version`, rebuilt by undoing the
    /// history after it; a version before the history window is 410 (for continue tokens).
    func objects(
        _ resource: ResourceType, namespace: String?, at version: Int64
    ) throws(LocalClusterError) -> [(key: ObjectKey, object: JSONValue)] {
        if version >= resourceVersion { return objects(resource, namespace: namespace) }
        if version < compactedRevision { throw .continueExpired }
        var table = tables[resource.id] ?? [:]
        if let namespace { table = table.filter { $0.key.namespace == namespace } }
        for event in history.reversed() {
            guard event.resourceVersion > version else { break }
            guard event.resourceID == resource.id, namespace.map({ $0 == event.key.namespace }) ?? true else { continue }
            switch event.type {
            case .added: table[event.key] = nil
            case .modified, .deleted: table[event.key] = event.previous
            }
        }
        return table.sorted { $0.key < $1.key }.map { (key: $0.key, object: $0.value) }
    }
}
