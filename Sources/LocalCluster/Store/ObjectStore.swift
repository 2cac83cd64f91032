import CubicleModel
import Synchronization

/// The in-memory object store behind the API server: one lock around `StoreState`. Reads and
/// writes are short, CPU-only critical sections; a write either commits all its changes (which
/// are then published to history, watches and the persister in order) or none.
final class ObjectStore: Sendable {
    private let state: Mutex<StoreState>
    private let onCommit: @Sendable (ObjectStore) -> Void

    /// A store holding `snapshot` (or nothing), keeping `historyLimit` changes; `onCommit` runs
    /// after every write that changed something (the persister's trigger).
    init(snapshot: PersistedState?, historyLimit: Int, onCommit: @escaping @Sendable (ObjectStore) -> Void) {
        var initial = StoreState(resourceVersion: snapshot?.resourceVersion ?? 0, historyLimit: historyLimit)
        if let snapshot {
            for (resourceID, objects) in snapshot.objects {
                var table: [ObjectKey: JSONValue] = [:]
                for object in objects {
                    table[ObjectKey(namespace: object.namespace, name: object.name)] = object
                }
                initial.tables[resourceID] = table
            }
        }
        state = Mutex(initial)
        self.onCommit = onCommit
    }

    /// Runs `body` with read access to the state.
    func read<T: Sendable>(_ body: (StoreState) throws(LocalClusterError) -> T) throws(LocalClusterError) -> T {
        try state.withLock { (state: inout StoreState) throws(LocalClusterError) -> T in try body(state) }
    }

    /// Runs `body` as one atomic write: on success its changes are published, on error rolled back.
    func write<T: Sendable>(_ body: (inout StoreState) throws(LocalClusterError) -> T) throws(LocalClusterError) -> T {
        let (result, overflowed, changed) = try state.withLock {
            (state: inout StoreState) throws(LocalClusterError) -> (T, [AsyncStream<WatchItem>.Continuation], Bool) in
            let start = state.resourceVersion
            do throws(LocalClusterError) {
                let result = try body(&state)
                let changed = !state.pending.isEmpty
                return (result, state.publish(), changed)
            } catch {
                state.rollBack(to: start)
                throw error
            }
        }
        // Finishing outside the lock: a stream's termination handler takes the lock again.
        for continuation in overflowed { continuation.finish() }
        if changed { onCommit(self) }
        return result
    }

    /// Runs `body` under the lock; for the store's own extensions.
    func withState<T: Sendable>(_ body: (inout StoreState) -> T) -> T {
        state.withLock { body(&$0) }
    }

    /// The current global resourceVersion.
    var resourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    /// The counter and every table as they are now. Copy-on-write makes this O(1) under the
    /// lock; sorting and encoding happen after it is released.
    func tablesSnapshot() -> (resourceVersion: Int64, tables: [String: [ObjectKey: JSONValue]]) {
        state.withLock { ($0.resourceVersion, $0.tables) }
    }
}
