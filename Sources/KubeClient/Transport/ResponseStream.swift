import DequeModule
import Synchronization

/// What the reactor thread is asked to do for a transfer on behalf of its consumer.
enum TransferControl: Sendable {
    /// The consumer drained the buffer: unpause the transfer.
    case resume(UInt64)
    /// The consumer went away: abort the transfer.
    case cancel(UInt64)
}

/// The status line and headers of a response.
struct ResponseHead: Sendable {
    var status: Int
    var headers: [HTTPHeader]
}

/// The buffer between the reactor thread (producer) and one async consumer of a response: chunks,
/// the buffered-byte count that drives pausing, and the transfer's outcome.
final class ResponseStream: Sendable {
    /// What the write callback should tell libcurl.
    enum Offer {
        /// The bytes were taken.
        case accepted
        /// The buffer is full: return `CURL_WRITEFUNC_PAUSE` (libcurl re-delivers the bytes later).
        case pause
        /// The consumer is gone: abort the transfer.
        case abort
    }

    private struct State {
        var head: ResponseHead?
        var headWaiter: CheckedContinuation<ResponseHead, any Error>?
        var chunks = Deque<[UInt8]>()
        var buffered = 0
        var peakBuffered = 0
        var received = 0
        var pauseCount = 0
        var paused = false
        var resumeRequested = false
        var outcome: Result<Void, any Error>?
        var bodyWaiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private static let endedBeforeHead = KubeError(
        code: .clusterUnavailable, message: "the Kubernetes API closed the response before its headers")

    /// The transfer's id on its reactor.
    let id: UInt64
    /// The back-pressure limits.
    let limits: BufferLimits
    private let state = Mutex(State())
    private let control: @Sendable (TransferControl) -> Void

    init(id: UInt64, limits: BufferLimits, control: @escaping @Sendable (TransferControl) -> Void) {
        self.id = id
        self.limits = limits
        self.control = control
    }

    // MARK: producer side (reactor thread)

    /// Publishes the response head to whoever awaits it.
    func deliverHead(_ head: ResponseHead) {
        let waiter: CheckedContinuation<ResponseHead, any Error>? = state.withLock { state in
            guard state.head == nil, state.outcome == nil else { return nil }
            state.head = head
            defer { state.headWaiter = nil }
            return state.headWaiter
        }
        waiter?.resume(returning: head)
    }

    /// Offers body bytes; takes them unless the buffer is above the high-water mark.
    func offer(_ bytes: UnsafeRawBufferPointer) -> Offer {
        let (offer, handoff): (Offer, PendingChunk?) = state.withLock { state in
            if state.outcome != nil { return (.abort, nil) }
            if state.buffered >= limits.highWater {
                state.paused = true
                state.pauseCount += 1
                return (.pause, nil)
            }
            let chunk = [UInt8](bytes)
            state.received += chunk.count
            if let waiter = state.bodyWaiter {
                state.bodyWaiter = nil
                return (.accepted, PendingChunk(continuation: waiter, chunk: chunk))
            }
            state.chunks.append(chunk)
            state.buffered += chunk.count
            state.peakBuffered = max(state.peakBuffered, state.buffered)
            return (.accepted, nil)
        }
        if let handoff { handoff.continuation.resume(returning: handoff.chunk) }
        return offer
    }

    /// Records that the reactor is about to unpause the transfer.
    func willResume() {
        state.withLock { state in
            state.paused = false
            state.resumeRequested = false
        }
    }

    /// Ends the stream with the transfer's outcome; buffered chunks are still delivered first.
    func finish(_ result: Result<Void, any Error>) {
        let (headWaiter, bodyWaiter, headResult): (
            CheckedContinuation<ResponseHead, any Error>?, CheckedContinuation<[UInt8]?, any Error>?, Result<ResponseHead, any Error>?
        ) = state.withLock { state in
            guard state.outcome == nil else { return (nil, nil, nil) }
            state.outcome = result
            let headWaiter = state.headWaiter
            state.headWaiter = nil
            var headResult: Result<ResponseHead, any Error>?
            if headWaiter != nil {
                switch result {
                case .failure(let error): headResult = .failure(error)
                case .success: headResult = .failure(Self.endedBeforeHead)
                }
            }
            var bodyWaiter: CheckedContinuation<[UInt8]?, any Error>?
            if state.chunks.isEmpty {
                bodyWaiter = state.bodyWaiter
                state.bodyWaiter = nil
            }
            return (headWaiter, bodyWaiter, headResult)
        }
        if let headWaiter, let headResult { headWaiter.resume(with: headResult) }
        if let bodyWaiter {
            switch result {
            case .success: bodyWaiter.resume(returning: nil)
            case .failure(let error): bodyWaiter.resume(throwing: error)
            }
        }
    }

    // MARK: consumer side

    /// Waits for the response head; cancelling the waiting task aborts the transfer.
    func head() async throws -> ResponseHead {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ResponseHead, any Error>) in
                let immediate: Result<ResponseHead, any Error>? = state.withLock { state in
                    if let head = state.head { return .success(head) }
                    if case .failure(let error) = state.outcome { return .failure(error) }
                    if state.outcome != nil {
                        return .failure(Self.endedBeforeHead)
                    }
                    state.headWaiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The next chunk, nil at the end, or the transfer's error; may ask the reactor to unpause.
    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let (immediate, resume): (Result<[UInt8]?, any Error>?, Bool) = state.withLock { state in
                    if let chunk = state.chunks.popFirst() {
                        state.buffered -= chunk.count
                        var resume = false
                        if state.paused, !state.resumeRequested, state.buffered <= limits.lowWater {
                            state.resumeRequested = true
                            resume = true
                        }
                        return (.success(chunk), resume)
                    }
                    switch state.outcome {
                    case .success: return (.success(nil), false)
                    case .failure(let error): return (.failure(error), false)
                    case nil:
                        if state.paused, !state.resumeRequested {
                            state.resumeRequested = true
                            state.bodyWaiter = continuation
                            return (nil, true)
                        }
                        state.bodyWaiter = continuation
                        return (nil, false)
                    }
                }
                if resume { control(.resume(id)) }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Aborts the transfer unless it already finished; waiters get `CancellationError`.
    func cancel() {
        let (head, body, wasRunning): (CheckedContinuation<ResponseHead, any Error>?, CheckedContinuation<[UInt8]?, any Error>?, Bool) =
            state.withLock { state in
                guard state.outcome == nil else { return (nil, nil, false) }
                state.outcome = .failure(CancellationError())
                state.chunks.removeAll()
                state.buffered = 0
                defer {
                    state.headWaiter = nil
                    state.bodyWaiter = nil
                }
                return (state.headWaiter, state.bodyWaiter, true)
            }
        head?.resume(throwing: CancellationError())
        body?.resume(throwing: CancellationError())
        if wasRunning { control(.cancel(id)) }
    }

    /// Buffer accounting, for observability and for tests that prove the buffer stays bounded.
    var statistics: BodyStatistics {
        state.withLock { state in
            BodyStatistics(
                bufferedBytes: state.buffered, peakBufferedBytes: state.peakBuffered, receivedBytes: state.received,
                pauseCount: state.pauseCount, isPaused: state.paused, isFinished: state.outcome != nil)
        }
    }
}

/// A waiting consumer and the chunk to hand it once the lock is released.
private struct PendingChunk {
    let continuation: CheckedContinuation<[UInt8]?, any Error>
    let chunk: [UInt8]
}

/// A snapshot of a response body's buffer accounting.
public struct BodyStatistics: Hashable, Sendable {
    /// Bytes received but not yet consumed.
    public var bufferedBytes: Int
    /// The most bytes ever buffered at once.
    public var peakBufferedBytes: Int
    /// Bytes received so far.
    public var receivedBytes: Int
    /// How often the transfer was paused because the consumer was slow.
    public var pauseCount: Int
    /// Whether the transfer is paused right now.
    public var isPaused: Bool
    /// Whether the transfer has ended (successfully, with an error, or cancelled).
    public var isFinished: Bool
}
