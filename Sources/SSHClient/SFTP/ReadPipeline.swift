import DequeModule

/// Plans the pipelined reads of a byte range: which requests to issue, in which order their
/// replies are consumed, and how short reads are completed. Pure value logic; the worker
/// performs the reads.
struct ReadPipeline: Sendable, Equatable {
    /// A read request in flight.
    struct Request: Sendable, Equatable {
        let id: UInt32
        let offset: UInt64
        let length: Int
    }

    /// What a reply means for the download.
    enum Outcome: Equatable {
        /// Bytes to deliver; if the read was short, `followUp` must be read before anything else.
        case deliver(count: Int, followUp: (offset: UInt64, length: Int)?)
        /// The file ended before the planned end.
        case truncated(at: UInt64)

        static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            switch (lhs, rhs) {
            case (.deliver(let a, let x), .deliver(let b, let y)):
                a == b && x?.offset == y?.offset && x?.length == y?.length
            case (.truncated(let a), .truncated(let b)):
                a == b
            default:
                false
            }
        }
    }

    let end: UInt64
    let chunkSize: Int
    let maxInFlight: Int
    private(set) var nextOffset: UInt64
    private(set) var inFlight: Deque<Request> = []
    private(set) var inFlightBytes = 0

    init(offset: UInt64, end: UInt64, chunkSize: Int, maxInFlight: Int) {
        self.nextOffset = offset
        self.end = max(offset, end)
        self.chunkSize = max(1, chunkSize)
        self.maxInFlight = max(1, maxInFlight)
    }

    /// The next read to issue, if the pipeline has room and bytes remain.
    var nextRead: (offset: UInt64, length: Int)? {
        guard inFlight.count < maxInFlight, nextOffset < end else { return nil }
        return (nextOffset, Int(min(UInt64(chunkSize), end - nextOffset)))
    }

    /// Records an issued read for `nextRead`.
    mutating func issued(id: UInt32, offset: UInt64, length: Int) {
        inFlight.append(Request(id: id, offset: offset, length: length))
        inFlightBytes += length
        nextOffset = max(nextOffset, offset + UInt64(length))
    }

    /// Records a follow-up read that must be consumed before everything else in flight.
    mutating func issuedFollowUp(id: UInt32, offset: UInt64, length: Int) {
        inFlight.prepend(Request(id: id, offset: offset, length: length))
        inFlightBytes += length
    }

    /// The reply to consume next.
    var head: Request? { inFlight.first }

    /// Consumes the head's reply of `received` bytes (0 = end of file).
    mutating func complete(received: Int) -> Outcome {
        guard let request = inFlight.popFirst() else { return .deliver(count: 0, followUp: nil) }
        inFlightBytes -= request.length
        if received <= 0 { return .truncated(at: request.offset) }
        let count = min(received, request.length)
        if count < request.length {
            return .deliver(count: count, followUp: (request.offset + UInt64(count), request.length - count))
        }
        return .deliver(count: count, followUp: nil)
    }

    /// True when every byte has been requested and every reply consumed.
    var isComplete: Bool { nextOffset >= end && inFlight.isEmpty }

    /// Drops everything in flight (after their replies were drained or on failure).
    mutating func clear() -> [Request] {
        let requests = Array(inFlight)
        inFlight.removeAll()
        inFlightBytes = 0
        nextOffset = end
        return requests
    }
}
