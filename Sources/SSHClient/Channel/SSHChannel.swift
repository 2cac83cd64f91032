/// A shell or exec channel. Read `output` (one consumer), write stdin with back-pressure,
/// resize its PTY, send EOF, and await its exit. The channel closes when the program ends and
/// its output has been read, on `close()`, or when the last reference to it goes away.
public final class SSHChannel: Sendable {
    /// The session the channel runs on (kept alive by the channel).
    public let session: SSHSession
    let id: UInt64
    let core: ChannelCore

    init(session: SSHSession, id: UInt64, core: ChannelCore) {
        self.session = session
        self.id = id
        self.core = core
    }

    deinit {
        post { $0.closeLocally() }
    }

    /// Stdout and stderr chunks in arrival order; ends when the channel closes, throws if the
    /// session dies. While the consumer lags the channel stops reading, so the SSH window
    /// closes and the remote program blocks instead of memory growing.
    public var output: SSHChannelOutput { SSHChannelOutput(channel: self) }

    /// Sends `bytes` to the program's stdin; suspends while too much is queued.
    public func write(_ bytes: [UInt8]) async throws {
        if try core.stdin.append(bytes) { post { $0.flushStdin() } }
        try await core.stdin.waitForRoom()
    }

    /// Sends UTF-8 text to stdin.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Half-closes stdin after the queued bytes (the program reads EOF).
    public func sendEOF() {
        if core.stdin.requestEOF() { post { $0.flushStdin() } }
    }

    /// Tells the PTY its new size.
    public func resize(cols: Int, rows: Int) {
        let size = PTYRequest(cols: cols, rows: rows)
        post { $0.resize(cols: size.clampedCols, rows: size.clampedRows) }
    }

    /// Closes the channel now; the output ends and the program sees its channel close.
    public func close() {
        post { $0.closeLocally() }
    }

    /// How the program ended; waits for the channel to close. Throws if the session died first.
    public func exitStatus() async throws -> SSHExit {
        try await core.waitForExit()
    }

    /// Output bytes buffered for the consumer right now.
    public var bufferedOutputBytes: Int { core.output.bufferedBytes }

    /// The most output bytes ever buffered at once (for back-pressure checks).
    public var peakBufferedOutputBytes: Int { core.output.peakBytes }

    /// True while the channel has stopped reading because the consumer lags.
    public var isOutputPaused: Bool { core.output.isProducerWaiting }

    private func post(_ body: @escaping @Sendable (ReactorChannel) -> Void) {
        let sessionID = session.id
        let channelID = id
        session.thread.post { loop in loop.session(sessionID)?.withChannel(channelID, body) }
    }
}

/// A channel's output as an async sequence of tagged chunks.
public struct SSHChannelOutput: AsyncSequence, Sendable {
    /// One chunk of stdout or stderr.
    public typealias Element = SSHChunk

    let channel: SSHChannel

    /// Creates the iterator; use one iterator per channel.
    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel) }

    /// Pulls chunks from the channel's bounded buffer.
    public struct Iterator: AsyncIteratorProtocol {
        let channel: SSHChannel

        /// The next chunk, or nil once the channel has closed.
        public mutating func next() async throws -> SSHChunk? {
            try await channel.core.output.next()
        }
    }
}
