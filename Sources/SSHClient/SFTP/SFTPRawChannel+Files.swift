/// File requests on a raw SFTP channel: OPEN, pipelined WRITE, `fsync@openssh.com`, CLOSE.
extension SFTPRawChannel {
    /// A reply to a request in flight: its id and STATUS.
    struct StatusReply: Equatable {
        let id: UInt32
        let status: SFTPPacket.Status
    }

    /// The answer to OPEN.
    enum OpenReply: Equatable {
        case handle([UInt8])
        case refused(SFTPPacket.Status)
    }

    /// Opens `path` with `SSH_FXF_*` `flags`, creating it with `mode`; the server's handle, or the
    /// STATUS it refused with.
    func openFile(_ path: String, flags: UInt32, mode: UInt32) throws(SSHError) -> OpenReply {
        var body = SFTPPacket.Writer()
        body.string(path)
        body.u32(flags)
        body.u32(SFTPPacket.attributePermissions)
        body.u32(mode & 0o7777)
        var reply = try request(type: SFTPPacket.open, body)
        switch reply.type {
        case SFTPPacket.handle:
            guard let handle = reply.reader.data() else { break }
            return .handle(handle)
        case SFTPPacket.status:
            guard let status = SFTPPacket.parseStatus(&reply.reader) else { break }
            return .refused(status)
        default:
            break
        }
        throw .protocolError("SFTP", "unexpected reply to OPEN")
    }

    /// Sends a WRITE without waiting for its reply.
    func sendWrite(id: UInt32, handle: [UInt8], offset: UInt64, bytes: [UInt8]) throws(SSHError) {
        try send(SFTPPacket.writeHeader(id: id, handle: handle, offset: offset, count: bytes.count), bytes)
    }

    /// Reads the next reply, which must be a STATUS (the only reply WRITE has).
    func receiveStatus() throws(SSHError) -> StatusReply {
        let (type, body) = try receive()
        var reader = SFTPPacket.Reader(body)
        guard type == SFTPPacket.status, let id = reader.u32(), let status = SFTPPacket.parseStatus(&reader) else {
            throw .protocolError("SFTP", "unexpected reply type \(type) while writing")
        }
        return StatusReply(id: id, status: status)
    }

    /// Asks the server to flush `handle` to disk (`fsync@openssh.com`).
    func fsyncFile(_ handle: [UInt8]) throws(SSHError) -> SFTPPacket.Status {
        var body = SFTPPacket.Writer()
        body.string("fsync@openssh.com")
        body.bytes(handle)
        return try statusRequest(type: SFTPPacket.extended, body, name: "fsync")
    }

    /// Closes `handle`.
    func closeFile(_ handle: [UInt8]) throws(SSHError) -> SFTPPacket.Status {
        var body = SFTPPacket.Writer()
        body.bytes(handle)
        return try statusRequest(type: SFTPPacket.close, body, name: "CLOSE")
    }

    private func statusRequest(type: UInt8, _ body: SFTPPacket.Writer, name: String) throws(SSHError) -> SFTPPacket.Status {
        var reply = try request(type: type, body)
        guard reply.type == SFTPPacket.status, let status = SFTPPacket.parseStatus(&reply.reader) else {
            throw .protocolError("SFTP", "unexpected reply to \(name)")
        }
        return status
    }
}
