import DequeModule
import NIOCore
import Synchronization

/// The frames waiting for one attached WebSocket: the shell's pump pushes (and waits for room
/// while more than `limit` bytes are queued), the socket writer pulls. A slow browser therefore
/// stops the pump, which stops reading the SSH channel, whose window then stops the remote
/// program. Closing the outbox (the client left) releases a waiting pump at once.
final class FrameOutbox: Sendable {
    /// What the writer gets next.
    enum Item: Sendable {
        /// A data frame.
        case frame(ByteBuffer)
        /// The final status frame; close the connection after it.
        case status(ByteBuffer)
    }

    private struct State {
        var items: Deque<Item> = []
        var bytes = 0
        var finished = false
        var closed = false
        var consumer: CheckedContinuation<Item?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
    }

    /// Queued bytes above which `waitForRoom` suspends.
    let limit: Int
    private let state = Mutex(State())

    /// Creates an empty outbox.
    init(limit: Int) { self.limit = max(1, limit) }

    /// Bytes queued now.
    var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Queues a frame (never suspends; replay may exceed the limit once). False once closed.
    @discardableResult
    func push(_ frame: ByteBuffer) -> Bool { enqueue(.frame(frame), bytes: frame.readableBytes, finishing: false) }

    /// Queues the final status; nothing can be pushed after it.
    func finish(status: ByteBuffer) { _ = enqueue(.status(status), bytes: status.readableBytes, finishing: true) }

    private func enqueue(_ item: Item, bytes: Int, finishing: Bool) -> Bool {
        let consumer: CheckedContinuation<Item?, Never>?? = state.withLock { state in
            guard !state.closed, !state.finished else { return .none }
            state.finished = finishing
            if let consumer = state.consumer {
                state.consumer = nil
                return .some(consumer)
            }
            state.items.append(item)
            state.bytes += bytes
            return .some(nil)
        }
        switch consumer {
        case .none: return false
        case .some(let waiting):
            waiting?.resume(returning: item)
            return true
        }
    }

    /// Producer side: suspends while more than `limit` bytes wait (returns at once when closed).
    func waitForRoom() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.closed || state.bytes <= limit { return true }
                state.producers.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Consumer side: the next item; nil once closed or after the status was taken.
    func next() async -> Item? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
            let (item, producers, ready): (Item?, [CheckedContinuation<Void, Never>], Bool) = state.withLock { state in
                if let item = state.items.popFirst() {
                    switch item {
                    case .frame(let buffer), .status(let buffer): state.bytes -= buffer.readableBytes
                    }
                    var woken: [CheckedContinuation<Void, Never>] = []
                    if state.bytes <= limit {
                        woken = state.producers
                        state.producers = []
                    }
                    return (item, woken, true)
                }
                if state.closed || state.finished { return (nil, [], true) }
                state.consumer = continuation
                return (nil, [], false)
            }
            for producer in producers { producer.resume() }
            if ready { continuation.resume(returning: item) }
        }
    }

    /// The client is gone: drop queued frames, release the pump and the writer.
    func close() {
        let (consumer, producers): (CheckedContinuation<Item?, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            state.closed = true
            state.items.removeAll()
            state.bytes = 0
            let consumer = state.consumer
            state.consumer = nil
            let producers = state.producers
            state.producers = []
            return (consumer, producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }
}
