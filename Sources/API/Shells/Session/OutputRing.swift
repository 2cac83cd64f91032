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

    /// Appends bytes, dropping the oldest once full.
    mutating func append(_ bytes: some Collection<UInt8>) {
        totalWritten += UInt64(bytes.count)
        var source = ArraySlice(bytes)
        if source.count >= capacity {
            source = source.suffix(capacity)
            storage.replaceSubrange(0..<capacity, with: source)
            head = 0
            count = capacity
            return
        }
        var tail = (head + count) % capacity
        for byte in source {
            storage[tail] = byte
            tail = (tail + 1) % capacity
        }
        let overflow = max(0, count + source.count - capacity)
        head = (head + overflow) % capacity
        count = min(capacity, count + source.count)
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
