import CubicleModel

/// Where a watch starts.
enum WatchStart: Sendable {
    /// Synthetic ADDED events for the current state, then live changes (`resourceVersion` unset or `0`).
    case currentState
    /// Like `currentState`, then a bookmark marking the end of the initial events (`sendInitialEvents=true`).
    case currentStateThenBookmark
    /// Every change after this resourceVersion, then live changes.
    case after(Int64)
}

/// An open watch on the store: its id (for bookmarks and cancellation) and its items.
struct WatchSubscription: Sendable {
    let id: UInt64
    let items: AsyncStream<WatchItem>
}

extension ObjectStore {
    /// Opens a watch: atomically computes the replay (initial state or history after a version)
    /// and registers for live changes, so nothing is missed or seen twice. A start version older
    /// than the history window yields a single 410 `error` item. At most `bufferLimit` live items
    /// wait for a slow consumer; beyond that the watch is closed.
    func watch(
        _ filter: ObjectFilter, from start: WatchStart, bufferLimit: Int = 10_000, inProcess: Bool = false
    ) -> WatchSubscription {
        let opened: (UInt64, AsyncStream<WatchItem>, AsyncStream<WatchItem>.Continuation) = withState { state in
            var replay: [WatchItem] = []
            switch start {
            case .currentState, .currentStateThenBookmark:
                for (_, object) in state.objects(filter.resource, namespace: filter.namespace) where filter.matches(object) {
                    replay.append(.event(.added, object))
                }
                if case .currentStateThenBookmark = start { replay.append(.initialEventsEnd(state.resourceVersion)) }
            case .after(let version):
                if version < state.compactedRevision {
                    let (stream, continuation) = AsyncStream<WatchItem>.makeStream()
                    continuation.yield(.error(.expired(requested: version, oldest: state.compactedRevision)))
                    return (0, stream, continuation)
                }
                for event in state.history where event.resourceVersion > version {
                    if case let (type, object)? = event.visible(through: filter) { replay.append(.event(type, object)) }
                }
            }
            // The buffer holds the replay plus `bufferLimit` live items; `publish` closes the
            // watch when a slow consumer lets it fill up.
            let (stream, continuation) = AsyncStream<WatchItem>.makeStream(
                bufferingPolicy: .bufferingOldest(max(1, bufferLimit) + replay.count)
            )
            for item in replay { continuation.yield(item) }
            state.nextWatcherID += 1
            let id = state.nextWatcherID
            state.watchers[id] = StoreState.Watcher(filter: filter, continuation: continuation, inProcess: inProcess)
            return (id, stream, continuation)
        }
        let (id, stream, continuation) = opened
        if id == 0 {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in self?.removeWatch(id) }
        }
        return WatchSubscription(id: id, items: stream)
    }

    /// Queues a bookmark carrying the current resourceVersion into watch `id`, behind every event
    /// already delivered to it.
    func requestBookmark(_ id: UInt64) {
        withState { state in
            guard let watcher = state.watchers[id] else { return }
            _ = watcher.continuation.yield(.bookmark(state.resourceVersion))
        }
    }

    /// Ends watch `id` (its consumer has gone or timed out).
    func endWatch(_ id: UInt64) {
        let continuation = withState { state in state.watchers.removeValue(forKey: id)?.continuation }
        continuation?.finish()
    }

    /// Ends every open watch at once (shutdown), or only those opened over HTTP (the "cut watches" fault).
    func endAllWatches(includingInProcess: Bool = true) {
        let continuations = withState { state in
            let doomed = state.watchers.filter { includingInProcess || !$0.value.inProcess }
            for id in doomed.keys { state.watchers[id] = nil }
            return doomed.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// How many watches are open.
    var openWatchCount: Int { withState { $0.watchers.count } }

    /// Drops all history so every older resourceVersion is expired (410) for watches and continues.
    func compact() {
        withState { $0.compact() }
    }

    /// The oldest resourceVersion a watch or continue token may start from.
    var compactedRevision: Int64 { withState { $0.compactedRevision } }

    private func removeWatch(_ id: UInt64) {
        withState { state in _ = state.watchers.removeValue(forKey: id) }
    }
}
