import CLibSSH

/// An SFTP (version 3) subsystem channel on a worker's session, spoken directly: libssh 0.10
/// has no API for OpenSSH's extensions nor for pipelined writes, and its own SFTP channel
/// rejects replies to ids it did not issue. Used only on the owning worker's thread; the
/// session is in blocking mode, so `send` waits for the SSH window and `receive` for a reply,
/// while `hasInput` only looks.
final class SFTPRawChannel {
    private let channel: ssh_channel
    private let session: ssh_session
    private var nextID: UInt32 = 1
    /// Extension names the server announced on this channel.
    private(set) var extensions: Set<String> = []
    private(set) var isBroken = false

    private static let maximumReply = 256 * 1024 + 64

    init(session: ssh_session) throws(SSHError) {
        self.session = session
        guard let channel = ssh_channel_new(session) else {
            throw .protocolError("SFTP", "libssh could not allocate a channel")
        }
        self.channel = channel
        guard ssh_channel_open_session(channel) == SSH_OK,
              ssh_channel_request_subsystem(channel, "sftp") == SSH_OK else {
            let detail = LibSSH.errorMessage(session)
            ssh_channel_free(channel)
            throw .protocolError("SFTP", "cannot open an SFTP channel: \(detail)")
        }
        var hello = SFTPPacket.Writer()
        hello.u32(3)
        do throws(SSHError) {
            try send(hello.packet(type: SFTPPacket.initRequest))
            let (type, body) = try receive()
            guard type == SFTPPacket.version else { throw .protocolError("SFTP", "unexpected reply to INIT") }
            var reader = SFTPPacket.Reader(body)
            _ = reader.u32()
            while !reader.isAtEnd, let name = reader.string(), reader.string() != nil { extensions.insert(name) }
        } catch {
            ssh_channel_free(channel)
            throw error
        }
    }

    deinit {
        ssh_channel_free(channel)
    }

    /// A fresh request id.
    func makeID() -> UInt32 {
        defer { nextID = nextID == UInt32.max ? 1 : nextID + 1 }
        return nextID
    }

    /// Sends a request of `type` whose body (after the id) is `body`, waits for its reply and
    /// returns the reply's type and a reader past the id. Only valid while nothing else is in
    /// flight on this channel.
    func request(type: UInt8, _ body: SFTPPacket.Writer) throws(SSHError) -> (type: UInt8, reader: SFTPPacket.Reader) {
        let id = makeID()
        var packet = SFTPPacket.Writer()
        packet.u32(id)
        packet.append(body)
        try send(packet.packet(type: type))
        let (replyType, replyBody) = try receive()
        var reader = SFTPPacket.Reader(replyBody)
        guard reader.u32() == id else {
            isBroken = true
            throw .protocolError("SFTP", "reply id does not match the request")
        }
        return (replyType, reader)
    }

    /// Sends framed bytes, in pieces (the payload of a WRITE need not be copied into its frame).
    func send(_ pieces: [UInt8]...) throws(SSHError) {
        for bytes in pieces { try send(bytes) }
    }

    private func send(_ bytes: [UInt8]) throws(SSHError) {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32($0.count)) }
        guard written == bytes.count else {
            isBroken = true
            throw .sessionDied("SFTP", "writing to the SFTP channel failed: \(LibSSH.errorMessage(session))")
        }
    }

    /// True when reply bytes are waiting; never blocks (handles what the socket holds).
    var hasInput: Bool { ssh_channel_poll(channel, 0) > 0 }

    /// The next reply: its type and body (id first). Blocks until it has arrived.
    func receive() throws(SSHError) -> (UInt8, [UInt8]) {
        let header = try readExactly(5)
        let length = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= Self.maximumReply else {
            isBroken = true
            throw .protocolError("SFTP", "invalid packet length \(length) on the SFTP channel")
        }
        return (header[4], try readExactly(length - 1))
    }

    private func readExactly(_ count: Int) throws(SSHError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = bytes.withUnsafeMutableBytes { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return -1 }
                return ssh_channel_read(channel, base + filled, UInt32(count - filled), 0)
            }
            if read < 0 || (read == 0 && ssh_channel_is_eof(channel) != 0) {
                isBroken = true
                throw .sessionDied("SFTP", "the SFTP channel closed: \(LibSSH.errorMessage(session))")
            }
            filled += Int(read)
        }
        return bytes
    }
}

@available(*, unavailable)
extension SFTPRawChannel: Sendable {}
