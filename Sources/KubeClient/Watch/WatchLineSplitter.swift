/// Splits a byte stream into newline-terminated lines as chunks arrive: a line may span chunks
/// and a chunk may hold several lines. Pure and synchronous, so it is tested on its own.
struct WatchLineSplitter: Sendable {
    /// The longest line accepted; a watch event is one object, so this bounds memory.
    let maxLineLength: Int
    private var buffer: [UInt8] = []
    private var start = 0

    init(maxLineLength: Int = 32 << 20) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes received but not yet returned as a line.
    var pendingByteCount: Int { buffer.count - start }

    /// Adds a chunk.
    mutating func append(_ chunk: [UInt8]) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer += chunk
    }

    /// The next complete line without its terminator (and without a trailing `\r`), or nil when
    /// none is complete yet; throws when an unterminated line exceeds `maxLineLength`.
    mutating func nextLine() throws -> [UInt8]? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if pendingByteCount > maxLineLength {
                throw KubeError(code: .internalError, message: "a watch event longer than \(maxLineLength) bytes")
            }
            return nil
        }
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = Array(buffer[start..<end])
        start = newline + 1
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return line
    }
}
