import CubicleModel
import DequeModule

/// The guarded state of the object store: every object by resource and key, the global
/// resourceVersion counter, the change history that watches and continue tokens replay, and the
/// open watches. Mutations inside one `ObjectStore.write` are logged so a failed write rolls back.
struct StoreState {
    /// An open watch: what it selects and where its items go.
    struct Watcher {
        let filter: ObjectFilter
        let continuation: AsyncStream<WatchItem>.Continuation
        /// Opened by an in-process client (the kubelet), not over HTTP: exempt from cut faults.
        let inProcess: Bool
    }

    /// Objects by resource id, then key.
    var tables: [String: [ObjectKey: JSONValue]] = [:]
    /// The last resourceVersion handed out.
    var resourceVersion: Int64
    /// The most recent changes, oldest first.
    var history: Deque<ChangeEvent> = []
    /// How many changes `history` keeps.
    let historyLimit: Int
    /// Versions below this are gone: watches and continue tokens from before it get 410.
    var compactedRevision: Int64
    /// Open watches by id.
    var watchers: [UInt64: Watcher] = [:]
    var nextWatcherID: UInt64 = 0

    /// Changes made by the current write, published when it commits.
    var pending: [ChangeEvent] = []
    /// How to undo the current write: previous values, most recent last.
    var undoLog: [(resourceID: String, key: ObjectKey, previous: JSONValue?)] = []

    init(resourceVersion: Int64, historyLimit: Int) {
        self.resourceVersion = resourceVersion
        self.historyLimit = max(1, historyLimit)
        self.compactedRevision = resourceVersion
    }

    /// The object of `resource` at `key`, if stored.
    func object(_ resource: ResourceType, _ key: ObjectKey) -> JSONValue? {
        tables[resource.id]?[key]
    }

    /// The objects of `resource` in `namespace` (all when nil), in key order.
    func objects(_ resource: ResourceType, namespace: String?) -> [(key: ObjectKey, object: JSONValue)] {
        guard let table = tables[resource.id] else { return [] }
        let selected = namespace.map { ns in table.filter { $0.key.namespace == ns } } ?? table
        return selected.sorted { $0.key < $1.key }.map { (key: $0.key, object: $0.value) }
    }

    /// The first object of `resource` in `namespace` matching `predicate`, in no particular order
    /// (internal lookups that need no sorted listing).
    func firstObject(
        _ resource: ResourceType, namespace: String, where predicate: (JSONValue) -> Bool
    ) -> (key: ObjectKey, object: JSONValue)? {
        guard let table = tables[resource.id] else { return nil }
        for (key, object) in table where key.namespace == namespace && predicate(object) { return (key, object) }
        return nil
    }

    /// Every object of `resource` in `namespace` matching `predicate`, in no particular order.
    func objects(_ resource: ResourceType, namespace: String, where predicate: (JSONValue) -> Bool) -> [(key: ObjectKey, object: JSONValue)] {
        guard let table = tables[resource.id] else { return [] }
        return table.filter { $0.key.namespace == namespace && predicate($0.value) }.map { (key: $0.key, object: $0.value) }
    }

    /// True when `namespace` exists (always true for the empty, cluster-level namespace).
    func namespaceExists(_ namespace: String) -> Bool {
        namespace.isEmpty || tables[ResourceCatalog.namespaces.id]?[ObjectKey(namespace: "", name: namespace)] != nil
    }

    /// Stores `object` at `key` with the next resourceVersion and records ADDED or MODIFIED.
    @discardableResult
    mutating func put(_ resource: ResourceType, _ key: ObjectKey, _ object: JSONValue) -> JSONValue {
        let previous = tables[resource.id]?[key]
        resourceVersion += 1
        var stored = object
        stored.setMeta("resourceVersion", .string(String(resourceVersion)))
        undoLog.append((resource.id, key, previous))
        tables[resource.id, default: [:]][key] = stored
        pending.append(
            ChangeEvent(
                type: previous == nil ? .added : .modified, resourceID: resource.id, key: key, object: stored,
                previous: previous, resourceVersion: resourceVersion
            )
        )
        return stored
    }

    /// Removes the object at `key`, recording DELETED with `final` stamped with a new resourceVersion.
    @discardableResult
    mutating func remove(_ resource: ResourceType, _ key: ObjectKey, final: JSONValue) -> JSONValue {
        let previous = tables[resource.id]?[key]
        resourceVersion += 1
        var stored = final
        stored.setMeta("resourceVersion", .string(String(resourceVersion)))
        undoLog.append((resource.id, key, previous))
        tables[resource.id]?[key] = nil
        pending.append(
            ChangeEvent(
                type: .deleted, resourceID: resource.id, key: key, object: stored, previous: previous,
                resourceVersion: resourceVersion
            )
        )
        return stored
    }

    /// Reverts every change since `startVersion` (a failed write).
    mutating func rollBack(to startVersion: Int64) {
        while let entry = undoLog.popLast() {
            tables[entry.resourceID, default: [:]][entry.key] = entry.previous
        }
        pending.removeAll()
        resourceVersion = startVersion
    }

    /// Appends the pending changes to history (dropping the oldest beyond the limit) and hands
    /// each to the watches that see it; returns watches whose buffers overflowed.
    mutating func publish() -> [AsyncStream<WatchItem>.Continuation] {
        undoLog.removeAll()
        guard !pending.isEmpty else { return [] }
        var overflowed: [UInt64] = []
        var terminated: [UInt64] = []
        for event in pending {
            history.append(event)
            while history.count > historyLimit, let dropped = history.popFirst() {
                compactedRevision = dropped.resourceVersion
            }
            for (id, watcher) in watchers {
                guard case let (type, object)? = event.visible(through: watcher.filter) else { continue }
                switch watcher.continuation.yield(.event(type, object)) {
                case .dropped: overflowed.append(id)
                case .terminated: terminated.append(id)
                case .enqueued: break
                @unknown default: break
                }
            }
        }
        pending.removeAll()
        for id in terminated { watchers[id] = nil }
        return overflowed.compactMap { watchers.removeValue(forKey: $0)?.continuation }
    }

    /// Forgets all history: every version before now becomes too old.
    mutating func compact() {
        history.removeAll()
        compactedRevision = resourceVersion
    }
}
