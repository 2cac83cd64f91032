import Blueprints
import CubicleModel
import Foundation
import KubeClient
import Logging
import Synchronization

/// One shared view of every managed workspace, fed by three list+watches in the workspace
/// namespace — managed pods, workspace anchor Secrets and events — never one watch per workspace.
/// Jobs wait on it for changes of their workspace and read snapshots from it.
public final class ClusterObserver: Sendable {
    /// A consistent view of one workspace.
    public struct Snapshot: Sendable {
        /// The workspace's pod, if it exists.
        public var pod: Pod?
        /// The workspace's anchor Secret (Cubicle's keys and the workspace's metadata), if it exists.
        public var anchor: Secret?
        /// Events about the pod and the claims it mounts.
        public var events: [Event]
    }

    private struct State {
        var pods: [String: Pod] = [:]  // by workspace name
        var anchors: [String: Secret] = [:]  // by workspace name
        var events: [String: [String: Event]] = [:]  // "Kind/name" → event uid → event
        var claimOwners: [String: Set<String>] = [:]  // claim name → workspaces mounting it
        var synced: Set<String> = []
    }

    private static let feeds: Set<String> = ["pods", "anchors", "events"]
    private let client: KubeClient
    private let namespace: String
    private let logger: Logger
    private let state = Mutex(State())
    /// Bumped (by workspace name) whenever anything about a workspace changes, and under
    /// `syncKey` once every watch has delivered its initial list.
    public let changes = ChangeNotifier<String>()
    /// The `changes` key bumped when the observer becomes synced (no workspace is named "").
    static let syncKey = ""
    /// Events about one object beyond this count are pruned oldest first.
    private let eventsPerObject = 200

    /// Creates an observer of `namespace`; call `run()` to start watching.
    public init(client: KubeClient, namespace: String, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.logger = logger
    }

    /// Watches until cancelled.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchPods() }
            group.addTask { await self.watchAnchors() }
            group.addTask { await self.watchEvents() }
            await group.waitForAll()
        }
    }

    /// Returns once every watch has delivered its initial list; throws when cancelled first (a
    /// server stopped while it starts: the cancelled wait returns at once, so looping on it would
    /// spin a thread of the cooperative pool forever).
    public func waitUntilSynced() async throws {
        while true {
            try Task.checkCancellation()
            let version = changes.version(of: Self.syncKey)
            if isSynced { return }
            await changes.waitForChange(of: Self.syncKey, after: version)
        }
    }

    /// Waits until every watch has delivered its initial list, or `deadline` passes on `time`;
    /// true when synced.
    public func waitUntilSynced(until deadline: Date, time: any TimeSource) async -> Bool {
        while true {
            let version = changes.version(of: Self.syncKey)
            if isSynced { return true }
            guard time.now < deadline, !Task.isCancelled else { return false }
            await changes.waitForChange(of: Self.syncKey, after: version, until: deadline, time: time)
        }
    }

    /// Whether every watch has delivered its initial list.
    public var isSynced: Bool { state.withLock { $0.synced == Self.feeds } }

    /// The current view of `workspace`.
    public func snapshot(of workspace: String) -> Snapshot {
        state.withLock { state in
            let pod = state.pods[workspace]
            var events = Array((state.events["Pod/\(workspace)"] ?? [:]).values)
            for volume in pod?.spec?.volumes ?? [] {
                if let claim = volume.persistentVolumeClaim?.claimName {
                    events += (state.events["PersistentVolumeClaim/\(claim)"] ?? [:]).values
                }
            }
            return Snapshot(pod: pod, anchor: state.anchors[workspace], events: events)
        }
    }

    /// The names of every workspace that has an anchor or a pod.
    public func workspaceNames() -> Set<String> {
        state.withLock { Set($0.anchors.keys).union($0.pods.keys) }
    }

    // MARK: - Feeds

    private func watchPods() async {
        await follow(Pod.self, feed: "pods", selector: Labels.managedSelector) { state, change in
            switch change {
            case .replace(let pods):
                let before = Set(state.pods.keys)
                state.pods = [:]
                state.claimOwners = [:]
                for pod in pods { Self.put(pod, into: &state) }
                return before.union(state.pods.keys)
            case .upsert(let pod):
                return Self.put(pod, into: &state)
            case .remove(let pod):
                guard let workspace = pod.metadata.labels?[Labels.workspace] else { return [] }
                if state.pods[workspace]?.metadata.uid == pod.metadata.uid { state.pods.removeValue(forKey: workspace) }
                return [workspace]
            }
        }
    }

    private func watchAnchors() async {
        await follow(Secret.self, feed: "anchors", selector: "\(Labels.managedSelector),\(Labels.anchor)=true") { state, change in
            switch change {
            case .replace(let secrets):
                let before = Set(state.anchors.keys)
                state.anchors = [:]
                for secret in secrets {
                    if let workspace = secret.metadata.labels?[Labels.workspace] { state.anchors[workspace] = secret }
                }
                return before.union(state.anchors.keys)
            case .upsert(let secret):
                guard let workspace = secret.metadata.labels?[Labels.workspace] else { return [] }
                state.anchors[workspace] = secret
                return [workspace]
            case .remove(let secret):
                guard let workspace = secret.metadata.labels?[Labels.workspace] else { return [] }
                state.anchors.removeValue(forKey: workspace)
                return [workspace]
            }
        }
    }

    private func watchEvents() async {
        await follow(Event.self, feed: "events", selector: nil) { state, change in
            switch change {
            case .replace(let events):
                state.events = [:]
                return events.reduce(into: Set<String>()) { $0.formUnion(self.store($1, in: &state)) }
            case .upsert(let event):
                return self.store(event, in: &state)
            case .remove:
                return []  // Kubernetes expires events; a job's trail keeps what it saw.
            }
        }
    }

    private enum Change<Object> {
        case replace([Object])
        case upsert(Object)
        case remove(Object)
    }

    /// Runs one list+watch until cancelled, applying each change under the lock and waking the
    /// workspaces it touched.
    private func follow<Object: KubeObject>(
        _ type: Object.Type, feed: String, selector: String?,
        apply: @escaping @Sendable (inout State, Change<Object>) -> Set<String>
    ) async {
        let stream = client.listWatch(type, namespace: namespace, options: ListWatchOptions(labelSelector: selector))
        do {
            for try await event in stream {
                let change: Change<Object>
                var initial = false
                switch event {
                case .listed(let objects), .resynced(let objects):
                    change = .replace(objects)
                    initial = true
                case .added(let object), .modified(let object):
                    change = .upsert(object)
                case .deleted(let object):
                    change = .remove(object)
                }
                let touched = state.withLock { state -> Set<String> in
                    var touched = apply(&state, change)
                    if initial, state.synced.insert(feed).inserted, state.synced == Self.feeds { touched.insert(Self.syncKey) }
                    return touched
                }
                changes.bump(touched)
            }
        } catch {
            if !(error is CancellationError) {
                logger.error("\(feed) watch ended", metadata: ["error": "\(error)"])
            }
        }
    }

    @discardableResult
    private static func put(_ pod: Pod, into state: inout State) -> Set<String> {
        guard let workspace = pod.metadata.labels?[Labels.workspace] else { return [] }
        state.pods[workspace] = pod
        for volume in pod.spec?.volumes ?? [] {
            if let claim = volume.persistentVolumeClaim?.claimName {
                state.claimOwners[claim, default: []].insert(workspace)
            }
        }
        return [workspace]
    }

    /// Stores an event about a pod or claim; returns the workspaces it concerns.
    private func store(_ event: Event, in state: inout State) -> Set<String> {
        let kind = event.involvedObject.kind ?? ""
        guard kind == "Pod" || kind == "PersistentVolumeClaim", let name = event.involvedObject.name else { return [] }
        let key = "\(kind)/\(name)"
        let id = event.metadata.uid ?? event.metadata.name ?? "\(event.reason ?? "")/\(event.count ?? 1)"
        var events = state.events[key] ?? [:]
        events[id] = event
        if events.count > eventsPerObject {
            let keep = events.sorted { StageDeriver.time(of: $0.value) > StageDeriver.time(of: $1.value) }.prefix(eventsPerObject)
            events = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        state.events[key] = events
        return kind == "Pod" ? [name] : (state.claimOwners[name] ?? [])
    }
}
