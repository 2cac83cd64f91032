#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel
import Synchronization

/// A started container: its main process, its log, its exit.
public final class ContainerHandle: Sendable {
    /// The container's name.
    public let name: String
    /// The host pid of the process the runtime spawned (the container's main process as root;
    /// in user-namespace mode the `nsenter` that forked it).
    public var pid: Int32 { child.pid }
    /// Where its stdout and stderr go.
    public let logPath: String

    let child: RuntimeChild
    let cgroup: CgroupNode?
    let forwardsThroughNsenter: Bool
    let timeSource: any TimeSource
    private let finish = Mutex(Finish.pending)

    private enum Finish {
        case pending
        case finishing(waiters: [CheckedContinuation<ContainerExit, Never>])
        case done(ContainerExit)
    }

    /// How long leftover processes of an exited container may take to die.
    static let leftoverTimeout: Double = 10

    init(name: String, child: RuntimeChild, logPath: String, cgroup: CgroupNode?, forwardsThroughNsenter: Bool, timeSource: any TimeSource) {
        self.name = name
        self.child = child
        self.logPath = logPath
        self.cgroup = cgroup
        self.forwardsThroughNsenter = forwardsThroughNsenter
        self.timeSource = timeSource
    }

    /// Whether the main process has exited.
    public var hasExited: Bool { child.hasExited }

    /// Waits for the main process to exit, then ends the container's remaining processes and
    /// removes its cgroup, and reports how it ended (`oomKilled` when the kernel OOM-killed a
    /// process of the container and the container did not succeed).
    public var exitStatus: ContainerExit {
        get async {
            let status = await child.wait()
            let mustFinish: Bool = finish.withLock { state in
                if case .pending = state {
                    state = .finishing(waiters: [])
                    return true
                }
                return false
            }
            if mustFinish {
                let exit = await cleanUp(after: status)
                let waiters: [CheckedContinuation<ContainerExit, Never>] = finish.withLock { state in
                    defer { state = .done(exit) }
                    if case .finishing(let waiters) = state { return waiters }
                    return []
                }
                for waiter in waiters { waiter.resume(returning: exit) }
                return exit
            }
            return await withCheckedContinuation { (continuation: CheckedContinuation<ContainerExit, Never>) in
                let done: ContainerExit? = finish.withLock { state in
                    switch state {
                    case .done(let exit):
                        return exit
                    case .finishing(var waiters):
                        waiters.append(continuation)
                        state = .finishing(waiters: waiters)
                        return nil
                    case .pending:
                        preconditionFailure("finishing starts before anyone waits for it")
                    }
                }
                if let done { continuation.resume(returning: done) }
            }
        }
    }

    /// Sends a signal to the container's main process.
    public func signal(_ signal: Int32) async {
        if forwardsThroughNsenter {
            // nsenter (util-linux 2.38) does not forward signals to the child it forked.
            let parent = child.pid
            let targets = await RuntimeWorker.shared.run { ProcFS.children(of: parent) }
            for target in targets { kill(target, signal) }
            if !targets.isEmpty { return }
        }
        child.signal(signal)
    }

    /// Stops the container: SIGTERM, then SIGKILL to all of its processes after `grace`.
    @discardableResult
    public func stop(grace: Duration) async -> ContainerExit {
        if !child.hasExited {
            await signal(SIGTERM)
            let child = child, clock = timeSource
            let exitedInTime = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = await child.wait()
                    return true
                }
                group.addTask {
                    try? await clock.sleep(seconds: grace.runtimeSeconds)
                    return false
                }
                let first = await group.next() ?? true
                group.cancelAll()
                if !first { await self.killAll() }
                return first
            }
            if !exitedInTime { _ = await child.wait() }
        }
        return await exitStatus
    }

    /// SIGKILL to the main process and every other process of the container.
    func killAll() async {
        child.signal(SIGKILL)
        let cgroup = cgroup, session = child.pid
        await RuntimeWorker.shared.run {
            for pid in Self.members(cgroup: cgroup, session: session) { kill(pid, SIGKILL) }
        }
    }

    /// The container's processes: its cgroup when it has one, else its session (the spawned
    /// process is a session leader, so its session id is its pid).
    private static func members(cgroup: CgroupNode?, session: pid_t) -> [pid_t] {
        if let cgroup {
            return cgroup.processes().filter { ProcFS.stat($0).map { $0.state != "Z" } ?? false }
        }
        return ProcFS.processes(inSession: session)
    }

    private func cleanUp(after status: WaitStatus) async -> ContainerExit {
        let cgroup = cgroup, session = child.pid
        let oomKills = await RuntimeWorker.shared.run { () -> Int in
            let kills = cgroup?.oomKillCount() ?? 0
            for pid in Self.members(cgroup: cgroup, session: session) { kill(pid, SIGKILL) }
            return kills
        }
        _ = await Polling.until(timeSource, timeout: Self.leftoverTimeout) {
            Self.members(cgroup: cgroup, session: session).isEmpty
        }
        if let cgroup {
            _ = await Polling.until(timeSource, timeout: Self.leftoverTimeout) { cgroup.remove() }
        }
        if oomKills > 0 && status != .exited(0) { return .oomKilled }
        switch status {
        case .exited(let code): return .exited(code)
        case .signaled(let signal): return .signaled(signal)
        }
    }
}
