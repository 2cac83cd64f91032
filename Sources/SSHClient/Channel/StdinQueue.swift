import DequeModule
import Synchronization

/// Bytes waiting to go into a channel's stdin. Writers append and suspend while more than
/// `limit` bytes are queued; the reactor thread takes as much as the SSH window allows and
/// resumes writers as the queue drains, so a fast producer is held back by a slow remote.
final class StdinQueue: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var chunks: Deque<[UInt8]> = []
        var headOffset = 0
        var bytes = 0
        var eofRequested = false
        var flushScheduled = false
        var failure: SSHError?
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    /// Queued bytes above which writers wait.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// Bytes currently queued.
    var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Appends `bytes`; returns true when the caller must ask the reactor to flush.
    func append(_ bytes: [UInt8]) throws(SSHError) -> Bool {
        let result: Result<Bool, SSHError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            if state.eofRequested { return .failure(.invalidArgument("stdin was already closed (EOF sent)")) }
            if !bytes.isEmpty {
                state.chunks.append(bytes)
                state.bytes += bytes.count
            }
            let schedule = !state.flushScheduled
            state.flushScheduled = true
            return .success(schedule)
        }
        return try result.get()
    }

    /// Suspends until the queue is at or below its limit (or has failed).
    func waitForRoom() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Bool, any Error> = state.withLock { state in
                    // Room means the write is done; a channel that ended meanwhile is no error here.
                    if state.bytes <= limit { return .success(true) }
                    if let failure = state.failure { return .failure(failure) }
                    // Cancelled before waiting: the handler has run already and would find no waiter.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(true): continuation.resume()
                case .success(false): break
                }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Asks for EOF after the queued bytes; returns true when the caller must schedule a flush.
    func requestEOF() -> Bool {
        state.withLock { state in
            guard state.failure == nil, !state.eofRequested else { return false }
            state.eofRequested = true
            let schedule = !state.flushScheduled
            state.flushScheduled = true
            return schedule
        }
    }

    /// Reactor side: marks the flush as running so later appends schedule another one.
    func beginFlush() {
        state.withLock { $0.flushScheduled = false }
    }

    /// Reactor side: a copy of up to `maximum` bytes from the head, or nil when empty.
    func peek(maximum: Int) -> [UInt8]? {
        state.withLock { state in
            guard let head = state.chunks.first else { return nil }
            let available = head.count - state.headOffset
            let count = min(available, maximum)
            return Array(head[state.headOffset..<(state.headOffset + count)])
        }
    }

    /// Reactor side: true when everything is written and EOF was asked for.
    var isDrainedWithEOF: Bool { state.withLock { $0.chunks.isEmpty && $0.eofRequested } }

    /// Reactor side: removes `count` written bytes from the head and resumes writers if there is room.
    func consume(_ count: Int) {
        let ready: [Waiter] = state.withLock { state in
            var remaining = count
            while remaining > 0, let head = state.chunks.first {
                let available = head.count - state.headOffset
                if remaining >= available {
                    state.chunks.removeFirst()
                    state.headOffset = 0
                    remaining -= available
                } else {
                    state.headOffset += remaining
                    remaining = 0
                }
            }
            state.bytes -= count - remaining
            guard state.bytes <= limit else { return [] }
            let ready = state.waiters
            state.waiters = []
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Fails pending and future writes with `error` and drops queued bytes.
    func fail(_ error: SSHError) {
        let waiters: [Waiter] = state.withLock { state in
            if state.failure == nil { state.failure = error }
            state.chunks.removeAll()
            state.headOffset = 0
            state.bytes = 0
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }
}
