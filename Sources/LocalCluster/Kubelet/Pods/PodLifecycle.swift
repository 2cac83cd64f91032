import CubicleModel
import Foundation

/// One pod's lifecycle as a plain state machine: container starts, exits, failures and timers
/// go in; the new container states and the actions the pod worker must perform come out.
/// Restart decisions (policy, capped exponential back-off) and the pod phase live here.
struct PodLifecycle: Sendable {
    /// Timers the worker arms on the machine's behalf.
    enum Timer: Sendable, Equatable {
        /// Start the container again (after a crash, a pull or config failure).
        case restart
        /// Switch a failed pull from `ErrImagePull` to `ImagePullBackOff`.
        case pullBackOff
    }

    /// What the worker must do.
    enum Action: Sendable, Equatable {
        /// Start (or restart) this container now.
        case start(container: String)
        /// Deliver `timer` for `container` (at `generation`) after `seconds`.
        case arm(Timer, container: String, generation: Int, seconds: Double)
        /// Record an event about the pod (`container` sets its fieldPath).
        case event(type: String, reason: String, message: String, container: String?)
        /// Every container has ended for good: stop the sandbox.
        case stopSandbox
    }

    /// A container that ran at least this long has its back-off reset.
    static let backoffResetAfter: Double = 600

    let pod: PodSpecView
    let restartPolicy: PodSpecView.RestartPolicy
    let restartBackoff: Backoff
    let pullBackoff: Backoff
    private(set) var containers: [ContainerTrack]
    /// Set once the pod is being torn down; nothing restarts any more.
    private(set) var terminating = false

    init(pod: PodSpecView, restartBackoff: Backoff, pullBackoff: Backoff) {
        self.pod = pod
        self.restartPolicy = pod.restartPolicy
        self.restartBackoff = restartBackoff
        self.pullBackoff = pullBackoff
        let counts = pod.reportedRestartCounts
        containers = pod.containers.map { container in
            var track = ContainerTrack(name: container.name, image: container.image)
            track.restartCount = counts[container.name] ?? 0
            return track
        }
    }

    /// The container named `name`.
    func container(_ name: String) -> ContainerTrack? {
        containers.first { $0.name == name }
    }

    /// The generation of the next start of `name` (the worker tags the run with it).
    mutating func beginStart(_ name: String) -> Int {
        guard let index = index(name) else { return 0 }
        containers[index].generation += 1
        containers[index].awaitingRetry = false
        return containers[index].generation
    }

    /// The container's process is running.
    mutating func started(_ name: String, generation: Int, at date: Date, id: String) -> [Action] {
        guard let index = index(name), containers[index].generation == generation, !terminating else { return [] }
        containers[index].state = .running(startedAt: date)
        containers[index].containerID = id
        containers[index].ready = false
        return []
    }

    /// The container's process ended: restart it (after back-off) or let it rest per the policy.
    mutating func exited(_ name: String, generation: Int, exit: ContainerExit, at date: Date) -> [Action] {
        guard !terminating, let index = index(name), containers[index].generation == generation,
              case .running(let startedAt) = containers[index].state
        else { return [] }
        var track = containers[index]
        defer { containers[index] = track }
        let signal: Int32? = if case .signaled(let number) = exit { number } else { nil }
        let termination = ContainerTrack.Termination(
            exitCode: exit.exitCode, reason: exit.reason, signal: signal, startedAt: startedAt, finishedAt: date)
        let restarts = switch restartPolicy {
        case .always: true
        case .onFailure: exit != .exited(0)
        case .never: false
        }
        track.ready = false
        guard restarts else {
            track.state = .terminated(termination)
            let othersDone = containers.indices.allSatisfy { $0 == index || containers[$0].isTerminated }
            return othersDone ? [.stopSandbox] : []
        }
        if date.timeIntervalSince(startedAt) >= Self.backoffResetAfter { track.failures = 0 }
        let delay = restartBackoff.delay(attempt: track.failures, random: 0.5)
        track.failures += 1
        track.lastTermination = termination
        track.awaitingRetry = true
        track.state = .waiting(
            reason: "CrashLoopBackOff",
            message: "back-off \(Self.seconds(delay)) restarting failed container=\(name) pod=\(pod.qualifiedName)")
        return [
            .event(type: "Warning", reason: "BackOff", message: "Back-off restarting failed container \(name) in pod \(pod.qualifiedName)", container: name),
            .arm(.restart, container: name, generation: track.generation, seconds: delay),
        ]
    }

    /// The (simulated) image pull of `name` failed.
    mutating func pullFailed(_ name: String, generation: Int, message: String) -> [Action] {
        guard let index = index(name), containers[index].generation == generation, !terminating else { return [] }
        containers[index].state = .waiting(reason: "ErrImagePull", message: message)
        containers[index].awaitingRetry = true
        let image = containers[index].image
        return [
            .event(type: "Warning", reason: "Failed", message: "Failed to pull image \"\(image)\": \(message)", container: name),
            .event(type: "Warning", reason: "Failed", message: "Error: ErrImagePull", container: name),
            .arm(.pullBackOff, container: name, generation: generation, seconds: min(1, pullBackoff.initial / 2)),
        ]
    }

    /// The container could not be created (bad config, a missing key, the runtime refused it);
    /// it is retried after back-off.
    mutating func startFailed(_ name: String, generation: Int, reason: String, message: String) -> [Action] {
        guard let index = index(name), containers[index].generation == generation, !terminating else { return [] }
        let delay = restartBackoff.delay(attempt: containers[index].failures, random: 0.5)
        containers[index].failures += 1
        containers[index].state = .waiting(reason: reason, message: message)
        containers[index].awaitingRetry = true
        return [
            .event(type: "Warning", reason: "Failed", message: "Error: \(message)", container: name),
            .arm(.restart, container: name, generation: generation, seconds: delay),
        ]
    }

    /// A timer the worker armed has fired.
    mutating func timerFired(_ timer: Timer, container name: String, generation: Int) -> [Action] {
        guard let index = index(name), containers[index].generation == generation, containers[index].awaitingRetry, !terminating
        else { return [] }
        switch timer {
        case .pullBackOff:
            let delay = pullBackoff.delay(attempt: containers[index].failures, random: 0.5)
            let image = containers[index].image
            containers[index].failures += 1
            containers[index].state = .waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(image)\"")
            return [
                .event(type: "Normal", reason: "BackOff", message: "Back-off pulling image \"\(image)\"", container: name),
                .event(type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", container: name),
                .arm(.restart, container: name, generation: generation, seconds: delay),
            ]
        case .restart:
            if containers[index].lastTermination != nil, case .waiting(reason: "CrashLoopBackOff", _) = containers[index].state {
                containers[index].restartCount += 1
            }
            return [.start(container: name)]
        }
    }

    /// A readiness probe result; true when it changed anything.
    mutating func setReady(_ name: String, generation: Int, ready: Bool) -> Bool {
        guard let index = index(name), containers[index].generation == generation, containers[index].isRunning,
              containers[index].ready != ready
        else { return false }
        containers[index].ready = ready
        return true
    }

    /// The pod is being torn down: no more restarts, and nothing is ready.
    mutating func terminate() {
        terminating = true
        for index in containers.indices { containers[index].ready = false }
    }

    /// `Pending` while a container has never run, `Running` while any runs or will restart,
    /// then `Succeeded` or `Failed`.
    var phase: String {
        if containers.contains(where: { track in
            if case .waiting = track.state { return track.lastTermination == nil }
            return false
        }) { return "Pending" }
        if containers.contains(where: { !$0.isTerminated }) { return "Running" }
        let allSucceeded = containers.allSatisfy { track in
            if case .terminated(let end) = track.state { return end.exitCode == 0 }
            return false
        }
        return allSucceeded ? "Succeeded" : "Failed"
    }

    /// Whether every container is ready.
    var allReady: Bool { !containers.isEmpty && containers.allSatisfy(\.ready) }

    /// `10s`, `1m20s`: how kubelet messages show a back-off.
    static func seconds(_ value: Double) -> String {
        let whole = Int(value.rounded())
        if whole < 60 { return value < 1 ? String(format: "%.1fs", value) : "\(whole)s" }
        return whole % 60 == 0 ? "\(whole / 60)m" : "\(whole / 60)m\(whole % 60)s"
    }

    private func index(_ name: String) -> Int? {
        containers.firstIndex { $0.name == name }
    }
}
