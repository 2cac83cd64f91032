import CLibSSH

/// A second SFTP subsystem channel on a worker's session, speaking the protocol directly for
/// the OpenSSH extensions libssh 0.10 does not expose: `posix-rename@openssh.com` (libssh's
/// `sftp_rename` sends a v3 RENAME, which OpenSSH refuses when the target exists) and
/// `limits@openssh.com`. libssh's own SFTP channel rejects replies to ids it did not issue, so
/// these requests cannot share it. Blocking; used only on the worker's thread.
final class SFTPExtensionChannel {
    private let channel: ssh_channel
    private let session: ssh_session
    private var nextID: UInt32 = 1
    /// Extension names the server announced on this channel.
    private(set) var extensions: Set<String> = []

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
            throw .protocolError("SFTP", "cannot open an SFTP extension channel: \(detail)")
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

    /// Renames with `rename(2)` semantics: an existing target is replaced atomically.
    func posixRename(from source: String, to destination: String) throws(SSHError) -> SFTPPacket.Status {
        var body = SFTPPacket.Writer()
        body.string("posix-rename@openssh.com")
        body.string(source)
        body.string(destination)
        var reader = try request(body)
        guard let status = SFTPPacket.parseStatus(&reader.reader), reader.type == SFTPPacket.status else {
            throw .protocolError("SFTP", "unexpected reply to posix-rename")
        }
        return status
    }

    /// The server's size limits.
    func limits() throws(SSHError) -> SFTPPacket.Limits {
        var body = SFTPPacket.Writer()
        body.string("limits@openssh.com")
        var reply = try request(body)
        guard reply.type == SFTPPacket.extendedReply, let limits = SFTPPacket.parseLimits(&reply.reader) else {
            throw .protocolError("SFTP", "unexpected reply to limits@openssh.com")
        }
        return limits
    }

    private func request(_ extendedBody: SFTPPacket.Writer) throws(SSHError) -> (type: UInt8, reader: SFTPPacket.Reader) {
        let id = nextID
        nextID &+= 1
        var packet = SFTPPacket.Writer()
        packet.u32(id)
        packet.append(extendedBody)
        try send(packet.packet(type: SFTPPacket.extended))
        let (type, body) = try receive()
        var reader = SFTPPacket.Reader(body)
        guard reader.u32() == id else { throw .protocolError("SFTP", "reply id does not match the request") }
        return (type, reader)
    }

    private func send(_ bytes: [UInt8]) throws(SSHError) {
        let written = bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32($0.count)) }
        guard written == bytes.count else {
            throw .sessionDied("SFTP", "writing to the SFTP extension channel failed: \(LibSSH.errorMessage(session))")
        }
    }

    private func receive() throws(SSHError) -> (UInt8, [UInt8]) {
        let header = try readExactly(5)
        let length = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= Self.maximumReply else {
            throw .protocolError("SFTP", "invalid packet length \(length) on the extension channel")
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
                throw .sessionDied("SFTP", "the SFTP extension channel closed: \(LibSSH.errorMessage(session))")
            }
            filled += Int(read)
        }
        return bytes
    }
}

@available(*, unavailable)
extension SFTPExtensionChannel: Sendable {}
