/// Plans the pipelined WRITE requests of one upload: how many bytes the next request may
/// carry, which replies acknowledge what, and when the upload has failed. Replies may arrive in
/// any order; bytes count as written once their STATUS says OK. Pure value logic: the worker's
/// I/O shell sends the requests and feeds the replies back.
struct SFTPWritePipeline: Sendable, Equatable {
    /// A WRITE in flight.
    struct Write: Sendable, Equatable {
        let id: UInt32
        let offset: UInt64
        let length: Int
    }

    /// What a reply means for the upload.
    enum Outcome: Sendable, Equatable {
        /// `bytes` are on the server; tell the producer.
        case acknowledge(bytes: Int)
        /// The write at `offset` failed with SFTP status `code`; fail the upload.
        case fail(code: UInt32, message: String, offset: UInt64)
        /// A late reply after a failure: nothing to do.
        case ignore
        /// A reply to no request in flight: the channel is out of step.
        case unexpected(id: UInt32)
    }

    /// The largest single WRITE.
    let writeLimit: Int
    /// Most WRITEs in flight at once.
    let maxInFlight: Int
    /// Most bytes in flight at once.
    let maxInFlightBytes: Int
    private(set) var inFlight: [UInt32: Write] = [:]
    private(set) var inFlightBytes = 0
    private(set) var acknowledgedBytes: UInt64 = 0
    /// The first failure, after which nothing more is sent.
    private(set) var failure: Outcome?

    init(writeLimit: Int, maxInFlight: Int) {
        self.writeLimit = max(1, writeLimit)
        self.maxInFlight = max(1, maxInFlight)
        self.maxInFlightBytes = self.writeLimit * self.maxInFlight
    }

    /// Bytes the next WRITE may carry: 0 while the window is full or after a failure.
    var room: Int {
        guard failure == nil, inFlight.count < maxInFlight else { return 0 }
        return min(writeLimit, maxInFlightBytes - inFlightBytes)
    }

    /// True when no reply is outstanding.
    var isIdle: Bool { inFlight.isEmpty }

    /// Records a WRITE of `length` bytes at `offset` sent with request `id` (`length` ≤ `room`).
    mutating func sent(id: UInt32, offset: UInt64, length: Int) {
        inFlight[id] = Write(id: id, offset: offset, length: length)
        inFlightBytes += length
    }

    /// Consumes the STATUS reply to request `id`.
    mutating func received(id: UInt32, status: UInt32, message: String = "") -> Outcome {
        guard let write = inFlight.removeValue(forKey: id) else { return .unexpected(id: id) }
        inFlightBytes -= write.length
        if failure != nil { return .ignore }
        guard status == SFTPStatus.ok else {
            let outcome = Outcome.fail(code: status, message: message, offset: write.offset)
            failure = outcome
            return outcome
        }
        acknowledgedBytes += UInt64(write.length)
        return .acknowledge(bytes: write.length)
    }

    /// Gives up on everything in flight (the channel is being discarded).
    mutating func abandon() -> [Write] {
        let writes = inFlight.values.sorted { $0.offset < $1.offset }
        inFlight.removeAll()
        inFlightBytes = 0
        return writes
    }
}
