import DequeModule
import Synchronization

/// A bounded single-consumer buffer between a C-library owner thread (the producer) and an
/// async consumer. The producer asks for room before copying bytes out of the library; when it
/// gets less than it wanted it stops pulling from the library and is told (through `onDrained`)
/// once the consumer has drained the buffer to the low-water mark. That is what turns a slow
/// consumer into a closed SSH window or fewer SFTP reads in flight.
final class BackpressureBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: Deque<(element: Element, bytes: Int)> = []
        var bytes = 0
        var end: Result<Void, any Error>?
        var waiter: CheckedContinuation<Element?, any Error>?
        var waiterID: UInt64 = 0
        var producerWaiting = false
        var onDrained: (@Sendable () -> Void)?
        var peakBytes = 0
    }

    /// The most bytes the buffer accepts before the producer has to wait.
    let limit: Int
    /// The fill level at or below which a waiting producer is resumed.
    let lowWater: Int
    private let state = Mutex(State())

    init(limit: Int, lowWater: Int? = nil) {
        self.limit = max(1, limit)
        self.lowWater = min(self.limit - 1, max(0, lowWater ?? self.limit / 2))
    }

    /// Sets the hook that tells the producer it may continue; it runs on the consumer's thread.
    func setOnDrained(_ hook: @escaping @Sendable () -> Void) {
        state.withLock { $0.onDrained = hook }
    }

    /// Bytes currently buffered.
    var bufferedBytes: Int { state.withLock { $0.bytes } }

    /// The highest fill level seen so far.
    var peakBytes: Int { state.withLock { $0.peakBytes } }

    /// True when the producer has been told to wait for the consumer.
    var isProducerWaiting: Bool { state.withLock { $0.producerWaiting } }

    /// True once `finish` has been called.
    var isFinished: Bool { state.withLock { $0.end != nil } }

    /// Producer side: how many of `wanted` bytes may be added now. Granting less than asked
    /// registers the producer as waiting, so `onDrained` fires once the consumer catches up.
    /// A finished buffer grants everything, so a producer can discard what nobody will read.
    func reserve(_ wanted: Int) -> Int {
        state.withLock { state in
            if state.end != nil { return wanted }
            let room = max(0, limit - state.bytes)
            if room < wanted { state.producerWaiting = true }
            return min(room, wanted)
        }
    }

    /// Producer side: appends an element that was reserved with `reserve`.
    func yield(_ element: Element, bytes: Int) {
        let waiter: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append((element, bytes))
            state.bytes += bytes
            state.peakBytes = max(state.peakBytes, state.bytes)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Producer side: no more elements; the consumer sees the buffered ones, then the end.
    func finish(throwing error: (any Error)? = nil) {
        let waiter: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = error.map { .failure($0) } ?? .success(())
            state.onDrained = nil
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    private enum Take {
        case element(Element, drained: (@Sendable () -> Void)?)
        case end(Result<Void, any Error>)
        case cancelled
        case waiting
    }

    /// Consumer side: the next element, `nil` at the end; throws the producer's error or
    /// `CancellationError` when the waiting task is cancelled.
    func next() async throws -> Element? {
        let id = state.withLock { state -> UInt64 in
            state.waiterID &+= 1
            return state.waiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let take = takeOrWait(continuation, id: id)
                switch take {
                case .element(let element, let drained):
                    drained?()
                    continuation.resume(returning: element)
                case .end(.success):
                    continuation.resume(returning: nil)
                case .end(.failure(let error)):
                    continuation.resume(throwing: error)
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .waiting:
                    break
                }
            }
        } onCancel: {
            cancelWaiter(id: id)
        }
    }

    private func takeOrWait(_ continuation: CheckedContinuation<Element?, any Error>, id: UInt64) -> Take {
        state.withLock { state in
            if let (element, bytes) = state.items.popFirst() {
                state.bytes -= bytes
                var drained: (@Sendable () -> Void)?
                if state.producerWaiting && state.bytes <= lowWater {
                    state.producerWaiting = false
                    drained = state.onDrained
                }
                return .element(element, drained: drained)
            }
            if let end = state.end { return .end(end) }
            if Task.isCancelled { return .cancelled }
            state.waiter = continuation
            state.waiterID = id
            return .waiting
        }
    }

    private func cancelWaiter(id: UInt64) {
        let waiter: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard state.waiterID == id, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(throwing: CancellationError())
    }
}
