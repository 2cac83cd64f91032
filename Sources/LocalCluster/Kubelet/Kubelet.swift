import CubicleModel
import Foundation
import Logging
import Synchronization

/// The process kubelet: schedules every unbound pod to node `local` and runs the pods bound to
/// it as real processes in `PodRuntime` sandboxes, one worker task per pod, reporting their
/// status and events through `KubeletAPI`. Pods survive a restart of the kubelet: their objects
/// stay in the API server and `start()` runs them again, on their old addresses when free.
public final class Kubelet: Sendable {
    /// The container runtime the pods run in.
    public let runtime: PodRuntime
    let context: KubeletContext
    private let state = Mutex(State())

    private struct State {
        var workers: [String: Worker] = [:]
        var removed: Set<String> = []
        var scheduled: Set<String> = []
        var loop: Task<Void, Never>?
        var stopped = false
    }

    private struct Worker {
        let mailbox: AsyncStream<PodWorkerInput>.Continuation
        let task: Task<Void, Never>
    }

    /// A kubelet for the cluster behind `api`, keeping its files under `dataDirectory`
    /// (`kubelet/runtime`, `kubelet/pods/<uid>`, and claims in `volumes/<namespace>/<claim>`).
    public init(
        api: any KubeletAPI, configuration: KubeletConfiguration, dataDirectory: String,
        timeSource: any TimeSource = SystemTimeSource(), logger: Logger
    ) {
        let runtime = PodRuntime(
            stateRoot: configuration.stateRoot ?? dataDirectory + "/kubelet/runtime", hiddenPaths: [dataDirectory],
            support: configuration.support, timeSource: timeSource, logger: logger)
        self.runtime = runtime
        context = KubeletContext(
            api: api, runtime: runtime, addresses: PodAddressAllocator(
                blocks: configuration.addressBlocks, lockDirectory: configuration.addressLockDirectory ?? AddressLocks.defaultDirectory),
            configuration: configuration, podsDirectory: configuration.podsDirectory ?? dataDirectory + "/kubelet/pods",
            claimsDirectory: dataDirectory + "/volumes", timeSource: timeSource, logger: logger)
    }

    /// Checks that this machine can build sandboxes (throws a clear error if not), removes what a
    /// previous run left behind, and starts scheduling and running pods.
    public func start() async throws {
        let support = try await runtime.support()
        if case .unavailable(let reason) = support.isolation {
            throw LocalClusterError.setup(
                "the process kubelet cannot run pods on this machine: sandbox unavailable: \(reason)"
                    + " (run as root, or start the cluster without the kubelet)")
        }
        try await runtime.recoverLeftovers()
        let held = context.api.pods(onNode: context.api.nodeName).pods.compactMap { pod in
            pod[path: ["status", "podIP"]]?.stringValue.map { (address: $0, uid: pod.uid) }
        }
        await RuntimeWorker.shared.run { [addresses = context.addresses] in
            for (address, uid) in held { addresses.reserve(address, for: uid) }
        }
        let watch = context.api.watchPods(onNode: nil)
        let resync = context.configuration.resyncInterval, clock = context.timeSource, api = context.api
        let loop = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in watch { self.route(event) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do { try await clock.sleep(seconds: resync) } catch { return }
                        for pod in api.pods(onNode: nil).pods { self.route(PodWatchEvent(kind: .modified, pod: pod)) }
                    }
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
        let stopped = state.withLock { state in
            if !state.stopped { state.loop = loop }
            return state.stopped
        }
        if stopped { loop.cancel() }
        context.logger.info("kubelet running", metadata: ["node": "\(context.api.nodeName)", "support": "\(support)"])
    }

    /// Stops every pod's processes (pods stay in the API server) and stops watching. Idempotent.
    public func shutdown() async {
        let (loop, workers): (Task<Void, Never>?, [Worker]) = state.withLock { state in
            state.stopped = true
            defer { state.workers = [:]; state.loop = nil }
            return (state.loop, Array(state.workers.values))
        }
        loop?.cancel()
        for worker in workers {
            worker.mailbox.yield(.shutdown)
            worker.mailbox.finish()
        }
        for worker in workers { await worker.task.value }
        await loop?.value
        // The pods' processes are gone: their addresses are free for any Cubicle on the machine.
        await RuntimeWorker.shared.run { [addresses = context.addresses] in addresses.releaseAll() }
    }

    /// The running sandbox of pod `uid`, if any (tests look at its processes).
    public func sandbox(forPod uid: String) -> PodSandbox? {
        runtime.sandbox(forPod: uid)
    }

    /// Sends a pod change to the scheduler or to the pod's worker.
    private func route(_ event: PodWatchEvent) {
        let pod = event.pod
        let uid = pod.uid
        guard !uid.isEmpty else { return }
        let node = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        if event.kind == .deleted || (!node.isEmpty && node != context.api.nodeName) {
            let worker = state.withLock { state in
                state.scheduled.remove(uid)
                return state.workers[uid]
            }
            worker?.mailbox.yield(.podDeleted(pod))
            return
        }
        if node.isEmpty {
            if !pod.isBeingDeleted { schedule(pod) }
            return
        }
        worker(for: pod)?.mailbox.yield(.podChanged(pod))
    }

    /// Binds an unbound pod to this node, unless a fault rule keeps it Pending.
    private func schedule(_ pod: JSONValue) {
        if let rule = context.api.podFault(for: pod), rule.fault == .stayPending, rule.container == nil { return }
        let first = state.withLock { !$0.stopped && $0.scheduled.insert(pod.uid).inserted }
        guard first else { return }
        do {
            try context.api.bindPod(namespace: pod.namespace, name: pod.name, node: context.api.nodeName)
            _ = try? context.api.recordEvent(
                pod: pod, type: "Normal", reason: "Scheduled",
                message: "Successfully assigned \(pod.namespace)/\(pod.name) to \(context.api.nodeName)", fieldPath: nil)
        } catch {
            _ = state.withLock { $0.scheduled.remove(pod.uid) }
            context.logger.debug("pod not bound", metadata: ["pod": "\(pod.namespace)/\(pod.name)", "error": "\(error)"])
        }
    }

    /// The worker of `pod`, started on first sight (never again once it has removed the pod).
    private func worker(for pod: JSONValue) -> Worker? {
        let uid = pod.uid, context = context
        return state.withLock { state -> Worker? in
            if let existing = state.workers[uid] { return existing }
            guard !state.stopped, !state.removed.contains(uid) else { return nil }
            let (stream, mailbox) = AsyncStream<PodWorkerInput>.makeStream()
            let task = Task { [self] in
                let worker = PodWorker(pod: pod, context: context, mailbox: mailbox)
                await worker.run(stream)
                self.finished(uid, removed: worker.removedPod)
            }
            let worker = Worker(mailbox: mailbox, task: task)
            state.workers[uid] = worker
            return worker
        }
    }

    private func finished(_ uid: String, removed: Bool) {
        let worker = state.withLock { state in
            if removed { state.removed.insert(uid) }
            state.scheduled.remove(uid)
            return state.workers.removeValue(forKey: uid)
        }
        worker?.mailbox.finish()
    }
}
