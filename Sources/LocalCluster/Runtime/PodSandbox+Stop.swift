#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel

extension PodSandbox {
    /// How long the kernel may take to tear down the pod's processes after its pid 1 died.
    static let teardownTimeout: Double = 10

    /// Stops the sandbox: every container gets SIGTERM and, after `grace`, SIGKILL; then the
    /// infra process is killed, which ends every remaining process in the pod's PID namespace.
    /// Removes the pod's cgroups, overlay directories and record; keeps logs and volumes.
    /// Idempotent; concurrent callers all return once it is done.
    public func stop(grace: Duration) async {
        enum Role { case stopper, waiter, done }
        let role: Role = state.withLock { state in
            switch state.phase {
            case .running:
                state.phase = .stopping(waiters: [])
                return .stopper
            case .stopping: return .waiter
            case .stopped: return .done
            }
        }
        switch role {
        case .done:
            return
        case .waiter:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let finished: Bool = state.withLock { state in
                    guard case .stopping(var waiters) = state.phase else { return true }
                    waiters.append(continuation)
                    state.phase = .stopping(waiters: waiters)
                    return false
                }
                if finished { continuation.resume() }
            }
            return
        case .stopper:
            break
        }

        let containers = state.withLock { Array($0.containers.values) }
        await withTaskGroup(of: Void.self) { group in
            for container in containers {
                group.addTask { _ = await container.stop(grace: grace) }
            }
        }
        await tearDown()
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            defer { state.phase = .stopped }
            if case .stopping(let waiters) = state.phase { return waiters }
            return []
        }
        for waiter in waiters { waiter.resume() }
        onStopped(spec.podUID)
        logger.info("sandbox stopped")
    }

    /// Kills the namespace holder and cleans up everything but logs and volumes.
    private func tearDown() async {
        let infra = infra, namespace = pidNamespace, cgroup = cgroup, paths = paths, recordFile = recordFile
        let members = await RuntimeWorker.shared.run { () -> [SandboxRecord.ProcessIdentity] in
            // Only while the pod's init lives is the namespace number still the pod's.
            guard ProcFS.isSameProcess(infra.pid, startTime: infra.startTime), ProcFS.pidNamespace(infra.pid) == namespace else { return [] }
            let members = ProcFS.identities(inNamespace: namespace)
            ProcFS.signalIfSame(infra.pid, startTime: infra.startTime, signal: SIGKILL)
            return members
        }
        launcher.signal(SIGKILL)
        _ = await launcher.wait()
        let emptied = await Polling.until(timeSource, timeout: Self.teardownTimeout) {
            ProcFS.survivors(members).isEmpty
        }
        if !emptied { logger.error("processes of the pod survived its PID namespace's end") }
        if let cgroup {
            await RuntimeWorker.shared.run {
                for pid in cgroup.processes() { kill(pid, SIGKILL) }
            }
            let removed = await Polling.until(timeSource, timeout: Self.teardownTimeout) { cgroup.remove() }
            if !removed { logger.error("the pod's cgroup could not be removed", metadata: ["cgroup": "\(cgroup.directories)"]) }
            await RuntimeWorker.shared.run {
                // The runtime's parent cgroup goes too once its last pod has gone (EBUSY otherwise).
                for directory in cgroup.directories { _ = rmdir(String(directory[..<(directory.lastIndex(of: "/") ?? directory.endIndex)])) }
            }
        }
        let stuck = await RuntimeWorker.shared.run { MountTable.detachAll(under: paths.podDirectory) }
        if !stuck.isEmpty { logger.error("mounts under the pod directory could not be removed", metadata: ["mounts": "\(stuck)"]) }
        for directory in [paths.upper, paths.work] { await rmTree(directory) }
        await RuntimeWorker.shared.run {
            unlink(recordFile)
            unlink(paths.record)
        }
    }
}
