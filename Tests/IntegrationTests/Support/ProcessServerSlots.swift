import Synchronization

/// Bounds how many servers with the process kubelet (real sandboxed pods and sshd) run at once in
/// the test process. Every suite runs in parallel in one process, and the pod runtime does its
/// blocking work on one shared thread, so a dozen real-pod servers starting together starve each
/// other past any start-up deadline; waiting for a slot happens before that deadline starts.
final class ProcessServerSlots: Sendable {
    static let shared = ProcessServerSlots(limit: 3)

    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) { state = Mutex(State(available: limit)) }

    /// Waits for a free slot and takes it.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
