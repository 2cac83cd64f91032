import CubicleModel
import Foundation

extension PodWorker {
    /// The placeholder for containers without a command: the image's entrypoint is unknown,
    /// so something harmless lives until the pod is deleted.
    static let placeholder = ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"]
    /// What a crash-loop fault runs instead of the container's command.
    static let crash = ["/bin/sh", "-c", "echo 'cubicle: simulated crash (fault rule)' >&2; exit 1"]
    /// What an OOM fault runs when limits are enforced: more memory than its limit allows.
    static let memoryHog = ["/bin/sh", "-c", "exec python3 -c 'b = bytearray(512 * 1024 * 1024)'"]

    /// Starts one container: simulated pull, environment, the real process, then watches its
    /// exit and readiness. Failures go through the lifecycle (back-off, events).
    func startContainer(_ name: String) async {
        guard let sandbox, !sandboxStopped, var lifecycle, let container = pod.containers.first(where: { $0.name == name }) else {
            return
        }
        let generation = lifecycle.beginStart(name)
        self.lifecycle = lifecycle
        let rule = context.api.podFault(for: pod.pod).flatMap { $0.container == nil || $0.container == name ? $0 : nil }
        if !pulled.contains(name) || rule?.fault == .errImagePull {
            event("Normal", "Pulling", "Pulling image \"\(container.image)\"", container: name)
        }
        if rule?.fault == .errImagePull {
            let message = "rpc error: code = NotFound desc = failed to pull and unpack image \"\(container.image)\": not found (simulated by a fault rule)"
            await apply { $0.pullFailed(name, generation: generation, message: message) }
            return
        }
        if !pulled.contains(name) {
            pulled.insert(name)
            event("Normal", "Pulled", "Container image \"\(container.image)\" already present on machine", container: name)
        }

        let environment: ContainerEnvironment
        do {
            environment = try ContainerEnvironment.resolve(container, pod: pod, podIP: podIP ?? "", api: context.api)
        } catch {
            await apply { $0.startFailed(name, generation: generation, reason: "CreateContainerConfigError", message: error.message) }
            return
        }
        var argv = (container.command + container.args).map(environment.expand)
        if container.command.isEmpty { argv = Self.placeholder }
        var limits = pod.limits(of: container)
        var simulatedOOM = false
        switch rule?.fault {
        case .crashLoopBackOff?:
            argv = Self.crash
        case .oomKilled?:
            if sandbox.status.limitsEnforced {
                argv = Self.memoryHog
                limits.memoryBytes = 48 << 20
            } else {
                argv = ["/bin/sh", "-c", "exit 137"]
                simulatedOOM = true
            }
        default:
            break
        }
        let credentials = pod.credentials(of: container)
        let spec = ContainerSpec(
            name: name, argv: argv, env: environment.dictionary, workingDir: container.workingDir,
            uid: credentials.uid, gid: credentials.gid, limits: limits)
        let handle: ContainerHandle
        do {
            handle = try await sandbox.startContainer(spec)
        } catch {
            await apply { $0.startFailed(name, generation: generation, reason: "RunContainerError", message: error.message) }
            return
        }
        event("Normal", "Created", "Created container \(name)", container: name)
        event("Normal", "Started", "Started container \(name)", container: name)
        let id = "cubicle://\(uid)/\(name)/\(generation)"
        let probe = ReadinessProbe.parse(container)
        await apply { lifecycle in
            let actions = lifecycle.started(name, generation: generation, at: context.timeSource.now, id: id)
            // Without a probe a running container is ready; one write shows both.
            if probe == nil { _ = lifecycle.setReady(name, generation: generation, ready: true) }
            return actions
        }

        let mailbox = mailbox, reportsOOM = simulatedOOM
        Task {
            var exit = await handle.exitStatus
            if reportsOOM { exit = .oomKilled }
            mailbox.yield(.containerExited(container: name, generation: generation, exit: exit))
        }
        tasks["probe:" + name]?.cancel()
        if let probe {
            tasks["probe:" + name] = probeLoop(probe, container: container, generation: generation)
        }
    }

    /// Runs a lifecycle transition and performs its actions.
    private func apply(_ transition: (inout PodLifecycle) -> [PodLifecycle.Action]) async {
        guard var lifecycle else { return }
        let actions = transition(&lifecycle)
        self.lifecycle = lifecycle
        await perform(actions)
        publish()
    }

    /// Probes readiness every period after the initial delay, and reports changes.
    private func probeLoop(_ probe: ReadinessProbe, container: PodSpecView.Container, generation: Int) -> Task<Void, Never> {
        let address = podIP ?? "127.0.0.1"
        let environment = (try? ContainerEnvironment.resolve(container, pod: pod, podIP: address, api: context.api))?.dictionary ?? [:]
        let prober = ReadinessProber(
            probe: probe, container: container.name, generation: generation, address: address, sandbox: sandbox,
            environment: environment, clock: context.timeSource, mailbox: mailbox)
        return Task { await prober.run() }
    }
}
