/// Which of a channel's output streams a chunk came from.
public enum SSHStream: Sendable, Hashable {
    /// Standard output (and everything a PTY shell prints).
    case stdout
    /// Standard error (SSH extended data); always empty with a PTY.
    case stderr
}

/// A piece of a channel's output, tagged with its stream.
public struct SSHChunk: Sendable, Hashable {
    /// The stream it came from.
    public let stream: SSHStream
    /// The bytes, in order within their stream.
    public let bytes: [UInt8]

    /// Creates a chunk.
    public init(stream: SSHStream, bytes: [UInt8]) {
        self.stream = stream
        self.bytes = bytes
    }
}
