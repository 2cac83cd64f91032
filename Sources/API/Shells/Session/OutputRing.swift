/// The last `capacity` bytes a shell printed, replayed to a client that re-attaches. Older bytes
/// are overwritten; a replay that starts mid-character skips the partial UTF-8 sequence.
struct OutputRing: Sendable {
    /// The most bytes kept.
    let capacity: Int
    private var storage: [UInt8]
    private var head = 0
    private(set) var count = 0
    /// Every byte ever appended.
    private(set) var totalWritten: UInt64 = 0

    /// Creates an empty ring.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage = [UInt8](repeating: 0, count: self.capacity)
    }

    /// Appends bytes, dropping the oldest once full. Copies in at most two block moves (this
    /// runs for every output chunk, so a per-byte loop would dominate a busy shell's CPU).
    mutating func append(_ bytes: [UInt8]) {
        totalWritten += UInt64(bytes.count)
        let source = bytes.count > capacity ? bytes[(bytes.count - capacity)...] : bytes[...]
        let length = source.count
        guard length > 0 else { return }
        let tail = (head + count) % capacity
        let first = min(length, capacity - tail)
        let capacity = self.capacity
        storage.withUnsafeMutableBufferPointer { target in
            source.withUnsafeBufferPointer { from in
                guard let base = target.baseAddress, let origin = from.baseAddress else { return }
                (base + tail).update(from: origin, count: first)
                if length > first { base.update(from: origin + first, count: length - first) }
            }
        }
        let overflow = max(0, count + length - capacity)
        head = (head + overflow) % capacity
        count = min(capacity, count + length)
    }

    /// The kept bytes, oldest first.
    func snapshot() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        let firstPart = min(count, capacity - head)
        bytes.append(contentsOf: storage[head..<(head + firstPart)])
        bytes.append(contentsOf: storage[0..<(count - firstPart)])
        if totalWritten > UInt64(count) {
            // Bytes were dropped: do not start the replay inside a multi-byte character.
            let skip = bytes.prefix(3).prefix { $0 & 0xC0 == 0x80 }.count
            bytes.removeFirst(skip)
        }
        return bytes
    }
}
