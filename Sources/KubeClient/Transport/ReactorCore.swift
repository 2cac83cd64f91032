import CLibCurl
import Synchronization

/// A libcurl multi handle pointer. Only the reactor thread drives it; other threads only call
/// `curl_multi_wakeup`, which libcurl allows from any thread, and only while the handle is open.
struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// The state shared between the reactor's public face and its thread: the command queue, the
/// lifecycle phase, and counters.
final class ReactorCore: Sendable {
    enum Phase {
        case running
        case stopping
        case stopped
    }

    /// Work handed to the reactor thread.
    enum Command: Sendable {
        case start(CurlRequest, ResponseStream)
        case control(TransferControl)
    }

    struct State {
        var phase = Phase.running
        var commands: [Command] = []
        var nextID: UInt64 = 0
        var activeTransfers = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let multi: MultiHandle
    let state = Mutex(State())

    init(multi: MultiHandle) { self.multi = multi }

    /// A fresh transfer id.
    func makeID() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Queues a command and wakes the thread; false once the reactor is shutting down.
    @discardableResult
    func post(_ command: Command) -> Bool {
        state.withLock { state in
            guard state.phase == .running else { return false }
            state.commands.append(command)
            // Under the lock: the thread closes the multi handle only after taking this lock.
            _ = curl_multi_wakeup(multi.pointer)
            return true
        }
    }

    /// Asks the thread to stop; returns false if it already stopped.
    func requestStop() -> Bool {
        state.withLock { state in
            switch state.phase {
            case .running:
                state.phase = .stopping
                _ = curl_multi_wakeup(multi.pointer)
                return true
            case .stopping: return true
            case .stopped: return false
            }
        }
    }

    /// Suspends until the thread has left its loop and closed the multi handle.
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { state in
                if state.phase == .stopped { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
