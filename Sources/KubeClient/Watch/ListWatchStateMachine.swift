import CubicleModel

/// The list-then-watch logic as a plain state machine: it decides when to list, when to watch
/// and from which resourceVersion, when to relist (410 Gone) and how long to back off; the
/// `ListWatch` driver performs the actions. No I/O, no clock: elapsed times and jitter come in
/// as arguments, so every path is unit-tested without a network.
public struct ListWatchStateMachine: Sendable, Hashable {
    /// What the driver should do next.
    public enum Action: Sendable, Hashable {
        /// List the collection (all pages).
        case list
        /// Open a watch from this resourceVersion.
        case watch(resourceVersion: String)
        /// Sleep this many seconds, then call `waitElapsed()`.
        case wait(seconds: Double)
    }

    /// How a successful list is reported.
    public enum ListEmission: Sendable, Hashable {
        /// The first list: the initial items.
        case listed
        /// A relist after the watch position expired: the full current state, so consumers can
        /// reconcile the deletions they missed.
        case resynced
    }

    /// What arrived on an open watch.
    public enum WatchInput: Sendable, Hashable {
        /// ADDED, MODIFIED or DELETED of an object at this resourceVersion.
        case object(resourceVersion: String?)
        /// A BOOKMARK at this resourceVersion.
        case bookmark(resourceVersion: String)
        /// An ERROR event with status 410: the resume point expired.
        case expired
        /// Another ERROR event.
        case failed
    }

    /// What the driver should do with an input.
    public enum Reaction: Sendable, Hashable {
        /// Forward the object event to the consumer.
        case emit
        /// Nothing to forward (a bookmark).
        case skip
        /// Abandon this watch and perform the action.
        case stop(Action)
    }

    /// Why a watch ended.
    public enum WatchEnd: Sendable, Hashable {
        /// The server closed the stream cleanly (e.g. `timeoutSeconds`).
        case closed
        /// The request was refused with 410 Gone.
        case expired
        /// The stream was cut or the request failed.
        case failed
    }

    private enum Phase: Hashable {
        case idle
        case listing
        case watching
        case waiting(thenList: Bool)
    }

    /// The newest resourceVersion seen (list, object or bookmark): where a watch resumes.
    public private(set) var resourceVersion: String?
    /// Failures since the last success; drives the backoff.
    public private(set) var consecutiveFailures = 0
    /// The reconnect delay policy.
    public let backoff: Backoff
    /// A clean close sooner than this after opening, with no events, counts as a failure, so a
    /// server that closes at once is not hammered.
    public let minimumWatchDuration: Double
    private var phase = Phase.idle
    private var hasListed = false
    private var eventsInWatch = 0

    /// Creates a machine.
    public init(backoff: Backoff = .controller, minimumWatchDuration: Double = 1) {
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
    }

    /// Starts by listing.
    public mutating func start() -> Action {
        phase = .listing
        return .list
    }

    /// A list succeeded at `resourceVersion`: report the items, then watch from there.
    public mutating func listSucceeded(resourceVersion: String) -> (ListEmission, Action) {
        let emission: ListEmission = hasListed ? .resynced : .listed
        hasListed = true
        self.resourceVersion = resourceVersion
        consecutiveFailures = 0
        return (emission, openWatch())
    }

    /// A list failed: back off, then list again.
    public mutating func listFailed(random: Double) -> Action {
        fail(thenList: true, random: random)
    }

    /// Something arrived on the open watch.
    public mutating func received(_ input: WatchInput, random: Double) -> Reaction {
        switch input {
        case .object(let version):
            if let version, !version.isEmpty { resourceVersion = version }
            eventsInWatch += 1
            consecutiveFailures = 0
            return .emit
        case .bookmark(let version):
            if !version.isEmpty { resourceVersion = version }
            eventsInWatch += 1
            consecutiveFailures = 0
            return .skip
        case .expired:
            return .stop(relist())
        case .failed:
            return .stop(fail(thenList: false, random: random))
        }
    }

    /// The watch ended (or could not be opened) after `elapsed` seconds.
    public mutating func watchEnded(_ end: WatchEnd, elapsed: Double, random: Double) -> Action {
        switch end {
        case .expired:
            return relist()
        case .failed:
            return fail(thenList: false, random: random)
        case .closed:
            if eventsInWatch > 0 || elapsed >= minimumWatchDuration {
                consecutiveFailures = 0
                return openWatch()
            }
            return fail(thenList: false, random: random)
        }
    }

    /// A `wait` action finished.
    public mutating func waitElapsed() -> Action {
        guard case .waiting(let thenList) = phase, !thenList, resourceVersion != nil else {
            phase = .listing
            return .list
        }
        return openWatch()
    }

    private mutating func openWatch() -> Action {
        phase = .watching
        eventsInWatch = 0
        return .watch(resourceVersion: resourceVersion ?? "")
    }

    private mutating func relist() -> Action {
        phase = .listing
        return .list
    }

    private mutating func fail(thenList: Bool, random: Double) -> Action {
        let delay = backoff.delay(attempt: consecutiveFailures, random: random)
        consecutiveFailures += 1
        phase = .waiting(thenList: thenList)
        return .wait(seconds: delay)
    }
}
