import CLibSSH

/// The OpenSSH extensions libssh 0.10 does not expose, on a raw SFTP channel of a worker's
/// session: `posix-rename@openssh.com` (libssh's `sftp_rename` sends a v3 RENAME, which OpenSSH
/// refuses when the target exists) and `limits@openssh.com`. Blocking; used only on the worker's
/// thread.
final class SFTPExtensionChannel {
    private let channel: SFTPRawChannel

    init(session: ssh_session) throws(SSHError) {
        channel = try SFTPRawChannel(session: session)
    }

    /// Extension names the server announced on this channel.
    var extensions: Set<String> { channel.extensions }

    /// Renames with `rename(2)` semantics: an existing target is replaced atomically.
    func posixRename(from source: String, to destination: String) throws(SSHError) -> SFTPPacket.Status {
        var body = SFTPPacket.Writer()
        body.string("posix-rename@openssh.com")
        body.string(source)
        body.string(destination)
        var reply = try channel.request(type: SFTPPacket.extended, body)
        guard reply.type == SFTPPacket.status, let status = SFTPPacket.parseStatus(&reply.reader) else {
            throw .protocolError("SFTP", "unexpected reply to posix-rename")
        }
        return status
    }

    /// The server's size limits.
    func limits() throws(SSHError) -> SFTPPacket.Limits {
        var body = SFTPPacket.Writer()
        body.string("limits@openssh.com")
        var reply = try channel.request(type: SFTPPacket.extended, body)
        guard reply.type == SFTPPacket.extendedReply, let limits = SFTPPacket.parseLimits(&reply.reader) else {
            throw .protocolError("SFTP", "unexpected reply to limits@openssh.com")
        }
        return limits
    }
}

@available(*, unavailable)
extension SFTPExtensionChannel: Sendable {}
