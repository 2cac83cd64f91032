import Synchronization

/// What a channel runs once it is open.
struct ChannelRequest: Sendable {
    enum Program: Sendable {
        case shell
        case exec(String)
    }

    let program: Program
    let pty: PTYRequest?
    let environment: [(name: String, value: String)]
}

/// The state a channel shares between its reactor thread and its public handle: the output
/// buffer, the stdin queue and the exit record.
final class ChannelCore: Sendable {
    private struct ExitState {
        var exit: SSHExit?
        var result: Result<SSHExit, SSHError>?
        var waiters: [UInt64: CheckedContinuation<SSHExit, any Error>] = [:]
        var nextWaiterID: UInt64 = 0
    }

    let output: BackpressureBuffer<SSHChunk>
    let stdin: StdinQueue
    private let exitState = Mutex(ExitState())

    init(outputLimit: Int, stdinLimit: Int) {
        output = BackpressureBuffer(limit: outputLimit)
        stdin = StdinQueue(limit: stdinLimit)
    }

    /// Records the exit status or signal the server reported.
    func recordExit(_ exit: SSHExit) {
        exitState.withLock { state in
            if state.exit == nil || state.exit?.code == nil { state.exit = exit }
        }
    }

    /// Ends the channel: exit waiters get the recorded exit (or `.unknown`), or `error`.
    func complete(error: SSHError?) {
        let (waiters, result): ([CheckedContinuation<SSHExit, any Error>], Result<SSHExit, SSHError>) = exitState.withLock { state in
            if let result = state.result { return ([], result) }
            let result: Result<SSHExit, SSHError>
            if let exit = state.exit {
                result = .success(exit)
            } else if let error {
                result = .failure(error)
            } else {
                result = .success(.unknown)
            }
            state.result = result
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return (waiters, result)
        }
        for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    /// The exit record once the channel has closed.
    func waitForExit() async throws -> SSHExit {
        let id = exitState.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SSHExit, any Error>) in
                let ready: Result<SSHExit, SSHError>? = exitState.withLock { state in
                    if let result = state.result { return result }
                    if Task.isCancelled { return .failure(.channelClosed("cancelled")) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
            }
        } onCancel: {
            let waiter = exitState.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
