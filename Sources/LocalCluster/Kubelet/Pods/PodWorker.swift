import CubicleModel
import Foundation
import Logging

/// The I/O shell of one pod: consumes the pod's inputs one at a time, feeds them to its
/// `PodLifecycle`, and performs what comes out — sandbox, containers, probes, timers, events,
/// status. Lives inside a single task, so its state needs no lock.
final class PodWorker {
    let context: KubeletContext
    let uid: String
    let mailbox: AsyncStream<PodWorkerInput>.Continuation
    var logger: Logger

    var pod: PodSpecView
    var lifecycle: PodLifecycle?
    var renderer: PodStatusRenderer
    var sandbox: PodSandbox?
    var sandboxStopped = false
    var podIP: String?
    var startTime: String?
    var lastPublished: JSONValue?
    var tasks: [String: Task<Void, Never>] = [:]
    var pulled: Set<String> = []
    var retryArmed = false
    var finished = false
    /// Set once the pod has been torn down for deletion (as opposed to a kubelet shutdown).
    var removedPod = false

    init(pod: JSONValue, context: KubeletContext, mailbox: AsyncStream<PodWorkerInput>.Continuation) {
        self.context = context
        self.uid = pod.uid
        self.mailbox = mailbox
        self.pod = PodSpecView(pod: pod)
        self.renderer = PodStatusRenderer(previous: pod["status"])
        var logger = context.logger
        logger[metadataKey: "pod"] = "\(pod.namespace)/\(pod.name)"
        self.logger = logger
    }

    var podDirectory: String { context.podsDirectory + "/" + uid }

    /// Handles inputs until the pod is gone or the kubelet stops.
    func run(_ inputs: AsyncStream<PodWorkerInput>) async {
        for await input in inputs {
            await handle(input)
            if finished { break }
        }
        for task in tasks.values { task.cancel() }
        tasks = [:]
    }

    private func handle(_ input: PodWorkerInput) async {
        switch input {
        case .podChanged(let json):
            guard json.uid == uid else { return }
            pod = PodSpecView(pod: json)
            if pod.isBeingDeleted {
                await tearDown(objectExists: true)
            } else if sandbox == nil && !retryArmed {
                await prepare()
            }
        case .podDeleted:
            await tearDown(objectExists: false)
        case .retryPreparation:
            retryArmed = false
            if sandbox == nil && !finished { await prepare() }
        case .containerExited(let name, let generation, let exit):
            guard var lifecycle else { return }
            let actions = lifecycle.exited(name, generation: generation, exit: exit, at: context.timeSource.now)
            self.lifecycle = lifecycle
            tasks["probe:" + name]?.cancel()
            await perform(actions)
            publish()
        case .timer(let timer, let name, let generation):
            guard var lifecycle else { return }
            let actions = lifecycle.timerFired(timer, container: name, generation: generation)
            self.lifecycle = lifecycle
            await perform(actions)
            publish()
        case .readiness(let name, let generation, let ready):
            if lifecycle?.setReady(name, generation: generation, ready: ready) == true { publish() }
        case .shutdown:
            await stopProcesses(grace: context.configuration.shutdownGracePeriod)
            finished = true
        }
    }

    /// Performs the lifecycle's actions in order.
    func perform(_ actions: [PodLifecycle.Action]) async {
        for action in actions {
            switch action {
            case .start(let name):
                await startContainer(name)
            case .arm(let timer, let name, let generation, let seconds):
                arm("timer:" + name, after: seconds, .timer(timer, container: name, generation: generation))
            case .event(let type, let reason, let message, let container):
                event(type, reason, message, container: container)
            case .stopSandbox:
                await stopProcesses(grace: 0)
            }
        }
    }

    /// Delivers `input` after `seconds`, replacing any pending delivery under `key`.
    func arm(_ key: String, after seconds: Double, _ input: PodWorkerInput) {
        tasks[key]?.cancel()
        let clock = context.timeSource, mailbox = mailbox
        tasks[key] = Task {
            do { try await clock.sleep(seconds: seconds) } catch { return }
            if !Task.isCancelled { mailbox.yield(input) }
        }
    }

    /// Records an event about the pod; a failure to record is only logged.
    func event(_ type: String, _ reason: String, _ message: String, container: String? = nil) {
        let fieldPath = container.map { "spec.containers{\($0)}" }
        do {
            try context.api.recordEvent(pod: pod.pod, type: type, reason: reason, message: message, fieldPath: fieldPath)
        } catch {
            logger.debug("event not recorded", metadata: ["reason": "\(reason)", "error": "\(error)"])
        }
    }

    /// Writes the pod's status when it differs from what was last written.
    func publish() {
        guard let lifecycle, !finished, let startTime else { return }
        let status = renderer.render(
            lifecycle: lifecycle, podIP: podIP, startTime: startTime, sandboxReady: sandbox != nil && !sandboxStopped,
            now: context.timeSource.now)
        guard status != lastPublished else { return }
        do {
            let updated = try context.api.updatePodStatus(namespace: pod.namespace, name: pod.name, uid: uid, status: status)
            lastPublished = status
            pod = PodSpecView(pod: updated)
        } catch {
            logger.debug("status not written", metadata: ["error": "\(error)"])
        }
    }
}
