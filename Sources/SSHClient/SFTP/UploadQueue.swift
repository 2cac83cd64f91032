import DequeModule
import Synchronization

/// Bytes an upload has accepted but not yet written, with their file offsets. Producers
/// append and suspend while more than `limit` bytes wait; the worker takes contiguous runs
/// coalesced into large writes, so small body chunks still become few, big SFTP writes.
final class UploadQueue: Sendable {
    private struct Item {
        var offset: UInt64
        var bytes: ArraySlice<UInt8>
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var items: Deque<Item> = []
        var queuedBytes = 0
        var appendOffset: UInt64
        var acknowledged: UInt64 = 0
        var drainScheduled = false
        var closed = false
        var failure: SSHError?
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    let limit: Int
    private let state: Mutex<State>

    init(limit: Int, startOffset: UInt64 = 0) {
        self.limit = max(1, limit)
        state = Mutex(State(appendOffset: startOffset))
    }

    /// Bytes the server has confirmed.
    var acknowledgedBytes: UInt64 { state.withLock { $0.acknowledged } }

    /// True when nothing waits to be written.
    var isEmpty: Bool { state.withLock { $0.items.isEmpty } }

    /// Queues `bytes` at `offset` (or after the previous append); true when a drain must be scheduled.
    func enqueue(_ bytes: [UInt8], at offset: UInt64?) throws(SSHError) -> Bool {
        let result: Result<Bool, SSHError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            if state.closed { return .failure(.invalidArgument("the file was already closed")) }
            guard !bytes.isEmpty else { return .success(false) }
            let position = offset ?? state.appendOffset
            state.items.append(Item(offset: position, bytes: bytes[...]))
            state.queuedBytes += bytes.count
            state.appendOffset = max(state.appendOffset, position + UInt64(bytes.count))
            let schedule = !state.drainScheduled
            state.drainScheduled = true
            return .success(schedule)
        }
        return try result.get()
    }

    /// Suspends while more than `limit` bytes are queued.
    func waitForRoom() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Result<Bool, SSHError> = state.withLock { state in
                    if let failure = state.failure { return .failure(failure) }
                    if state.queuedBytes <= limit { return .success(true) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .success(false)
                }
                switch ready {
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

    /// Marks the queue closed to new bytes (close, fsync-then-close, abort).
    func close() { state.withLock { $0.closed = true } }

    /// Worker side: lets later appends schedule another drain.
    func beginDrain() { state.withLock { $0.drainScheduled = false } }

    /// Worker side: the next contiguous run of at most `maximum` bytes, coalescing items.
    func takeBatch(maximum: Int) -> (offset: UInt64, bytes: [UInt8])? {
        state.withLock { state in
            guard let first = state.items.first else { return nil }
            let offset = first.offset
            var batch: [UInt8] = []
            batch.reserveCapacity(min(maximum, state.queuedBytes))
            while batch.count < maximum, var item = state.items.first,
                  item.offset == offset + UInt64(batch.count) {
                let take = min(maximum - batch.count, item.bytes.count)
                batch.append(contentsOf: item.bytes.prefix(take))
                if take == item.bytes.count {
                    state.items.removeFirst()
                } else {
                    item.bytes = item.bytes.dropFirst(take)
                    item.offset += UInt64(take)
                    state.items[0] = item
                }
            }
            return (offset, batch)
        }
    }

    /// Worker side: `count` bytes were written; resumes producers if there is room.
    func written(_ count: Int) {
        let ready: [Waiter] = state.withLock { state in
            state.queuedBytes -= count
            state.acknowledged += UInt64(count)
            guard state.queuedBytes <= limit else { return [] }
            let ready = state.waiters
            state.waiters = []
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Fails waiting and future producers and drops what is queued.
    func fail(_ error: SSHError) {
        let waiters: [Waiter] = state.withLock { state in
            if state.failure == nil { state.failure = error }
            state.items.removeAll()
            state.queuedBytes = 0
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    /// The failure, if any.
    var failure: SSHError? { state.withLock { $0.failure } }
}
