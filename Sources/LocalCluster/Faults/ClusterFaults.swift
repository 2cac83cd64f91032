import CubicleModel
import Synchronization

/// Fault injection for tests, on a running cluster: failing requests (the next N, or a random
/// fraction, optionally only one verb or resource) with 500/429/503, cutting watch streams (now
/// or periodically), expiring resourceVersions, and pod fault rules for the kubelet.
public final class ClusterFaults: PodFaultSource, Sendable {
    /// A request-failure rule.
    struct FailureRule: Sendable {
        var remaining: Int
        var status: Int
        var verb: String?
        var resource: String?
        var retryAfter: Int?

        func matches(verb: String, resource: String) -> Bool {
            (self.verb.map { $0 == verb } ?? true) && (self.resource.map { $0 == resource } ?? true)
        }
    }

    private struct State {
        var failures: [FailureRule] = []
        var randomFailure: (probability: Double, statuses: [Int], retryAfter: Int?)?
        var podFaults: [PodFaultRule] = []
        var cutter: Task<Void, Never>?
        var failedRequests = 0
    }

    private let state = Mutex(State())
    private let store: ObjectStore
    private let time: any TimeSource

    init(store: ObjectStore, time: any TimeSource) {
        self.store = store
        self.time = time
    }

    /// Fails the next `count` requests (matching `verb` — `get`, `list`, `watch`, `create`,
    /// `update`, `patch`, `delete`, `deletecollection` — and `resource`, e.g. `pods` or
    /// `pods/status`, when given) with `status`; 429 responses carry `Retry-After`.
    public func failNext(_ count: Int, status: Int = 500, verb: String? = nil, resource: String? = nil, retryAfterSeconds: Int? = nil) {
        guard count > 0 else { return }
        state.withLock {
            $0.failures.append(
                FailureRule(remaining: count, status: status, verb: verb, resource: resource, retryAfter: retryAfterSeconds)
            )
        }
    }

    /// Fails each request with probability `probability` (0 turns this off).
    public func failRandomly(probability: Double, status: Int = 500, retryAfterSeconds: Int? = nil) {
        failRandomly(probability: probability, statuses: [status], retryAfterSeconds: retryAfterSeconds)
    }

    /// Fails that share of requests with a status picked at random from `statuses` for each
    /// failure (e.g. `[500, 429]`: server errors and throttling mixed).
    public func failRandomly(probability: Double, statuses: [Int], retryAfterSeconds: Int? = nil) {
        state.withLock {
            $0.randomFailure = probability > 0 && !statuses.isEmpty ? (min(1, probability), statuses, retryAfterSeconds) : nil
        }
    }

    /// Cuts every open HTTP watch stream now (the connection closes mid-stream).
    public func cutWatches() {
        store.endAllWatches(includingInProcess: false)
    }

    /// Cuts every open HTTP watch every `seconds` (of the cluster's clock); nil stops.
    public func cutWatches(every seconds: Double?) {
        let task: Task<Void, Never>? = seconds.flatMap { interval in
            guard interval > 0 else { return nil }
            return Task { [store, time] in
                while !Task.isCancelled {
                    do { try await time.sleep(seconds: interval) } catch { return }
                    store.endAllWatches(includingInProcess: false)
                }
            }
        }
        let previous = state.withLock { state in
            let previous = state.cutter
            state.cutter = task
            return previous
        }
        previous?.cancel()
    }

    /// Compacts history: every resourceVersion before now becomes too old (410) for watches and continue tokens.
    public func expireResourceVersions() {
        store.compact()
    }

    /// Adds a pod fault rule for the kubelet; returns its id.
    @discardableResult
    public func addPodFault(_ rule: PodFaultRule) -> String {
        state.withLock { $0.podFaults.append(rule) }
        return rule.id
    }

    /// Removes the pod fault rule `id`; false when there was none.
    @discardableResult
    public func removePodFault(id: String) -> Bool {
        state.withLock { state in
            let before = state.podFaults.count
            state.podFaults.removeAll { $0.id == id }
            return state.podFaults.count != before
        }
    }

    /// The pod fault rules, oldest first.
    public var podFaults: [PodFaultRule] { state.withLock { $0.podFaults } }

    /// The first rule that applies to `pod`.
    public func podFault(for pod: JSONValue) -> PodFaultRule? {
        state.withLock { $0.podFaults.first { $0.matches(pod) } }
    }

    /// How many requests have been failed on purpose so far.
    public var failedRequestCount: Int { state.withLock { $0.failedRequests } }

    /// Removes every rule and stops periodic cuts.
    public func clear() {
        let cutter = state.withLock { state in
            let cutter = state.cutter
            state = State()
            return cutter
        }
        cutter?.cancel()
    }

    /// The injected failure for a request, if one applies (consuming a "next N" rule).
    func failure(verb: String, resource: String) -> LocalClusterError? {
        state.withLock { state -> LocalClusterError? in
            if let index = state.failures.firstIndex(where: { $0.matches(verb: verb, resource: resource) }) {
                let rule = state.failures[index]
                state.failures[index].remaining -= 1
                if state.failures[index].remaining <= 0 { state.failures.remove(at: index) }
                state.failedRequests += 1
                return .injected(status: rule.status, retryAfter: rule.retryAfter ?? (rule.status == 429 ? 1 : nil))
            }
            if let random = state.randomFailure, Double.random(in: 0..<1) < random.probability,
               let status = random.statuses.randomElement() {
                state.failedRequests += 1
                return .injected(status: status, retryAfter: random.retryAfter ?? (status == 429 ? 1 : nil))
            }
            return nil
        }
    }

    /// A summary of the active rules (for `GET /_localcluster/faults`).
    var summary: JSONValue {
        let openWatches = store.openWatchCount
        return state.withLock { state in
            var members: [String: JSONValue] = [
                "failNext": .array(state.failures.map { rule in
                    var entry: [String: JSONValue] = ["remaining": .int(Int64(rule.remaining)), "status": .int(Int64(rule.status))]
                    if let verb = rule.verb { entry["verb"] = .string(verb) }
                    if let resource = rule.resource { entry["resource"] = .string(resource) }
                    return .object(entry)
                }),
                "podFaults": .array(state.podFaults.map(\.json)),
                "cuttingWatches": .bool(state.cutter != nil),
                "failedRequests": .int(Int64(state.failedRequests)),
                "openWatches": .int(Int64(openWatches)),
            ]
            if let random = state.randomFailure {
                members["failRandom"] = [
                    "probability": .double(random.probability), "status": .int(Int64(random.statuses[0])),
                    "statuses": .array(random.statuses.map { .int(Int64($0)) }),
                ]
            }
            return .object(members)
        }
    }
}
