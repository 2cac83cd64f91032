#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Synchronization

/// A direct child of this process that the runtime spawned. Reaping and signalling happen under
/// one lock, so a signal can never reach a recycled pid: until the child is reaped its pid stays
/// reserved, and after it is reaped `signal` does nothing.
final class RuntimeChild: Sendable {
    private enum State {
        case running(waiters: [CheckedContinuation<WaitStatus, Never>])
        case exited(WaitStatus)
    }

    /// The child's pid in this process's PID namespace.
    let pid: pid_t
    private let state = Mutex(State.running(waiters: []))

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts watching a freshly spawned child; must be called before anyone could reap it.
    static func adopt(pid: pid_t) -> RuntimeChild {
        let child = RuntimeChild(pid: pid)
        if let pidfd = LinuxCalls.pidfdOpen(pid) {
            FDPoller.shared.watch(fd: pidfd, closeWhenDone: true) {
                child.reapIfExited() ? .done : .keep
            }
        } else {
            // Kernels before 5.3 have no pidfds: one small thread per child waits without reaping
            // (WNOWAIT), then reaps under the lock like the poller does.
            let thread = Thread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                _ = child.reapIfExited()
            }
            thread.name = "cubicle-runtime-wait-\(pid)"
            thread.start()
        }
        return child
    }

    /// Whether the child has been reaped.
    var hasExited: Bool {
        state.withLock { if case .exited = $0 { true } else { false } }
    }

    /// The exit status once reaped.
    var exitStatus: WaitStatus? {
        state.withLock { if case .exited(let status) = $0 { status } else { nil } }
    }

    /// Sends `signal` unless the child has already been reaped; returns whether it was sent.
    @discardableResult
    func signal(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard case .running = state else { return false }
            return kill(pid, signal) == 0
        }
    }

    /// Waits until the child exits and returns how it ended.
    func wait() async -> WaitStatus {
        await withCheckedContinuation { (continuation: CheckedContinuation<WaitStatus, Never>) in
            let status: WaitStatus? = state.withLock { state in
                switch state {
                case .exited(let status):
                    return status
                case .running(var waiters):
                    waiters.append(continuation)
                    state = .running(waiters: waiters)
                    return nil
                }
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Reaps the child if it has exited; returns true once it has been reaped.
    private func reapIfExited() -> Bool {
        let outcome: (WaitStatus, [CheckedContinuation<WaitStatus, Never>])? = state.withLock { state in
            guard case .running(let waiters) = state else { return nil }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, WNOHANG) } while result < 0 && errno == EINTR
            if result == 0 { return nil }
            // ECHILD means someone else reaped it; report it as killed rather than hang forever.
            let status = result == pid ? WaitStatus(raw: raw) : .signaled(SIGKILL)
            state = .exited(status)
            return (status, waiters)
        }
        guard let outcome else { return hasExited }
        for waiter in outcome.1 { waiter.resume(returning: outcome.0) }
        return true
    }
}
