import CubicleModel

/// The type of a watch event as it appears on the wire.
enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
}

/// One committed change in the store's history: what the object became (for a deletion, its
/// final state stamped with the deletion's resourceVersion) and what it was before.
struct ChangeEvent: Sendable {
    let type: WatchEventType
    let resourceID: String
    let key: ObjectKey
    let object: JSONValue
    let previous: JSONValue?
    let resourceVersion: Int64

    /// The event a watcher with `filter` sees, after selector transitions: a modification that
    /// leaves the selection is a deletion, one that enters it is an addition.
    func visible(through filter: ObjectFilter) -> (WatchEventType, JSONValue)? {
        guard resourceID == filter.resource.id, filter.covers(key) else { return nil }
        switch type {
        case .added:
            return filter.matches(object) ? (.added, object) : nil
        case .deleted:
            return filter.matches(previous ?? object) ? (.deleted, object) : nil
        case .modified:
            let matchedBefore = previous.map(filter.matches) ?? false
            let matchesNow = filter.matches(object)
            switch (matchedBefore, matchesNow) {
            case (true, true): return (.modified, object)
            case (true, false): return (.deleted, object)
            case (false, true): return (.added, object)
            case (false, false): return nil
            }
        }
    }
}

/// What a watch stream yields to its transport.
enum WatchItem: Sendable {
    /// A change to a selected object.
    case event(WatchEventType, JSONValue)
    /// The store has delivered everything up to this resourceVersion.
    case bookmark(Int64)
    /// The synthetic initial state is complete (`sendInitialEvents=true`).
    case initialEventsEnd(Int64)
    /// The watch cannot continue; the transport sends an `ERROR` event and ends the stream.
    case error(LocalClusterError)
}
