import CubicleModel

/// What a kubelet needs from the API server, in process: its pods (listed and watched), binding,
/// status, events, finishing deletion, the objects pods mount, and simulated failures. The
/// kubelet never touches the store directly. Errors are `LocalClusterError`s (404, 409, ...).
public protocol KubeletAPI: Sendable {
    /// The node this cluster's kubelet runs as.
    var nodeName: String { get }

    /// The pods bound to `node` (nil: every pod, bound or not), and the resourceVersion of the list.
    func pods(onNode node: String?) -> (pods: [JSONValue], resourceVersion: String)

    /// Pod changes for `node` (nil: every pod): synthetic `added` events for the current pods,
    /// then live changes. A pod that gets bound to `node` arrives as `added`.
    func watchPods(onNode node: String?) -> PodWatch

    /// Pod `name` in `namespace`, if it exists.
    func pod(namespace: String, name: String) -> JSONValue?

    /// Binds pod `name` to `node` (as a scheduler does); 409 when bound elsewhere.
    @discardableResult
    func bindPod(namespace: String, name: String, node: String) throws -> JSONValue

    /// Replaces pod `name`'s status; with `uid`, only if the pod is still that object.
    @discardableResult
    func updatePodStatus(namespace: String, name: String, uid: String?, status: JSONValue) throws -> JSONValue

    /// Ends a pod's graceful termination: the pod goes away (or waits only for its finalizers).
    func finishPodDeletion(namespace: String, name: String, uid: String?) throws

    /// Records an Event about `pod` (`type` is `Normal` or `Warning`), folding repeats into a count.
    @discardableResult
    func recordEvent(pod: JSONValue, type: String, reason: String, message: String, fieldPath: String?) throws -> JSONValue

    /// ConfigMap `name` in `namespace`, if it exists.
    func configMap(namespace: String, name: String) -> JSONValue?

    /// Secret `name` in `namespace`, if it exists.
    func secret(namespace: String, name: String) -> JSONValue?

    /// PersistentVolumeClaim `name` in `namespace`, if it exists.
    func persistentVolumeClaim(namespace: String, name: String) -> JSONValue?

    /// Replaces a PersistentVolumeClaim's status (e.g. `Bound` once its directory exists).
    @discardableResult
    func updatePersistentVolumeClaimStatus(namespace: String, name: String, status: JSONValue) throws -> JSONValue

    /// The simulated failure for `pod`, if a fault rule applies.
    func podFault(for pod: JSONValue) -> PodFaultRule?
}

/// One change to a pod, as the kubelet sees it.
public struct PodWatchEvent: Sendable {
    /// What happened.
    public enum Kind: String, Sendable {
        /// The pod appeared (or started matching the node).
        case added
        /// The pod changed.
        case modified
        /// The pod is gone (or was bound elsewhere).
        case deleted
    }

    /// What happened.
    public let kind: Kind
    /// The pod after the change (for `deleted`, its final state).
    public let pod: JSONValue
}

/// An async sequence of pod changes; it ends when the cluster shuts down or the consumer stops.
public struct PodWatch: AsyncSequence, Sendable {
    /// Each element is one pod change.
    public typealias Element = PodWatchEvent

    let items: AsyncStream<WatchItem>

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<WatchItem>.AsyncIterator

        /// The next pod change, or nil when the watch has ended.
        public mutating func next() async -> PodWatchEvent? {
            while let item = await base.next() {
                switch item {
                case .event(let type, let pod):
                    let kind: PodWatchEvent.Kind = switch type {
                    case .added: .added
                    case .modified: .modified
                    case .deleted: .deleted
                    }
                    return PodWatchEvent(kind: kind, pod: pod)
                case .bookmark, .initialEventsEnd:
                    continue
                case .error:
                    return nil
                }
            }
            return nil
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: items.makeAsyncIterator()) }
}
