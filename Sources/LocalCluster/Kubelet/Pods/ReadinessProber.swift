import CubicleModel

/// The loop behind one container's readiness probe: checks every period (every second until
/// the first success), counts results against the thresholds, and tells the pod worker when
/// the verdict changes. Ends when its task is cancelled.
struct ReadinessProber: Sendable {
    let probe: ReadinessProbe
    let container: String
    let generation: Int
    let address: String
    let sandbox: PodSandbox?
    let environment: [String: String]
    let clock: any TimeSource
    let mailbox: AsyncStream<PodWorkerInput>.Continuation

    /// Probes until cancelled.
    func run() async {
        var counter = ProbeCounter(probe: probe)
        do { try await clock.sleep(seconds: probe.initialDelay) } catch { return }
        while !Task.isCancelled {
            let success = await check()
            if Task.isCancelled { return }
            if let ready = counter.record(success) {
                mailbox.yield(.readiness(container: container, generation: generation, ready: ready))
            }
            let pause = counter.ready ? probe.period : min(probe.period, 1)
            do { try await clock.sleep(seconds: pause) } catch { return }
        }
    }

    private func check() async -> Bool {
        switch probe.check {
        case .tcp(let port):
            return await ReadinessProbe.connects(host: address, port: port, timeout: probe.timeout)
        case .exec(let command):
            return await exec(command)
        }
    }

    /// Runs an exec probe as a short-lived process in the sandbox; exit 0 within the timeout is success.
    private func exec(_ command: [String]) async -> Bool {
        guard let sandbox else { return false }
        let name = String(container.prefix(50)) + "-probe"
        guard let handle = try? await sandbox.startContainer(ContainerSpec(name: name, argv: command, env: environment)) else {
            return false
        }
        let clock = clock, timeout = probe.timeout
        let finished = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await handle.exitStatus == .exited(0) }
            group.addTask {
                try? await clock.sleep(seconds: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil { await handle.killAll() }
            group.cancelAll()
            return first
        }
        return finished ?? false
    }
}
