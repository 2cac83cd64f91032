/// An upload as its worker thread sees it: a raw SFTP channel with the file's handle, the write
/// pipeline, and the queue it drains. Each turn collects the replies that have arrived, sends
/// WRITEs while the pipeline has room, and waits for a reply only when nothing else can move
/// (window full, or queue empty with writes in flight); bytes are acknowledged to the queue
/// (and so to the producer's back-pressure) only when the server has confirmed them.
final class SFTPWriterState {
    let id: UInt64
    let path: String
    private let connection: SFTPConnection
    private var channel: SFTPRawChannel?
    private let handle: [UInt8]
    private var pipeline: SFTPWritePipeline
    let queue: UploadQueue

    /// Pipeline steps per job before yielding the worker to other queued jobs.
    private static let stepsPerTurn = 32

    init(id: UInt64, path: String, connection: SFTPConnection, channel: SFTPRawChannel, handle: [UInt8],
         queue: UploadQueue, writesInFlight: Int) {
        self.id = id
        self.path = path
        self.connection = connection
        self.channel = channel
        self.handle = handle
        self.queue = queue
        self.pipeline = SFTPWritePipeline(writeLimit: connection.writeLimit(), maxInFlight: writesInFlight)
    }

    /// A drain job: moves the pipeline a turn's worth and reschedules itself while work remains.
    func drainTurn(_ context: SFTPWorkerContext) {
        queue.beginDrain()
        var steps = 0
        while channel != nil, !isDrained {
            guard step(context) else { return }
            steps += 1
            if steps >= Self.stepsPerTurn, !isDrained {
                let writerID = id
                _ = context.worker.post { $0.writers[writerID]?.drainTurn($0) }
                return
            }
        }
    }

    /// Writes everything queued, then asks the server to flush the file to disk.
    func fsync(_ context: SFTPWorkerContext) throws(SSHError) {
        try drainAll(context)
        guard let channel else { throw queue.failure ?? .invalidArgument("the file is closed") }
        guard channel.extensions.contains("fsync@openssh.com") else {
            throw .init(code: .internalError, reason: .sftpFailure, message: "the SFTP server cannot fsync (\(path))")
        }
        let status: SFTPPacket.Status
        do throws(SSHError) {
            status = try connection.blocking { () throws(SSHError) in try channel.fsyncFile(handle) }
        } catch {
            fail(error, context: context)
            throw error
        }
        guard status.code == SFTPStatus.ok else {
            throw SFTPStatus.error(code: status.code, operation: "fsync", path: path, detail: status.message)
        }
    }

    /// Writes everything queued and closes the file.
    func close(_ context: SFTPWorkerContext) throws(SSHError) {
        queue.close()
        try drainAll(context)
        guard let channel else { throw queue.failure ?? .invalidArgument("the file is closed") }
        self.channel = nil
        context.writers[id] = nil
        context.worker.transferClosed()
        let status: SFTPPacket.Status
        do throws(SSHError) {
            status = try connection.blocking { () throws(SSHError) in try channel.closeFile(handle) }
        } catch {
            context.noteFailure(error)
            throw error
        }
        connection.returnWriteChannel(channel)
        guard status.code == SFTPStatus.ok else {
            throw SFTPStatus.error(code: status.code, operation: "close", path: path, detail: status.message)
        }
    }

    /// Drops what is queued and closes the file without waiting for writes in flight.
    func abort(_ context: SFTPWorkerContext) {
        queue.fail(.channelClosed("the upload of \(path) was aborted"))
        release(context)
    }

    /// Fails the upload with `error`.
    func fail(_ error: SSHError, context: SFTPWorkerContext) {
        queue.fail(error)
        release(context)
        context.noteFailure(error)
    }

    private var isDrained: Bool { queue.isEmpty && pipeline.isIdle }

    /// Collects replies that have arrived, sends while there is room, and waits for one reply
    /// when writes are in flight and nothing more can be sent; false when the upload failed.
    private func step(_ context: SFTPWorkerContext) -> Bool {
        guard let channel else { return false }
        do throws(SSHError) {
            try connection.blocking { () throws(SSHError) in
                while !pipeline.isIdle, channel.hasInput { try apply(channel.receiveStatus()) }
                while pipeline.room > 0, let batch = queue.takeBatch(maximum: pipeline.room) {
                    let requestID = channel.makeID()
                    try channel.sendWrite(id: requestID, handle: handle, offset: batch.offset, bytes: batch.bytes)
                    pipeline.sent(id: requestID, offset: batch.offset, length: batch.bytes.count)
                }
                if !pipeline.isIdle { try apply(channel.receiveStatus()) }
            }
        } catch {
            fail(error, context: context)
            return false
        }
        return true
    }

    private func apply(_ reply: SFTPRawChannel.StatusReply) throws(SSHError) {
        switch pipeline.received(id: reply.id, status: reply.status.code, message: reply.status.message) {
        case .acknowledge(let bytes):
            queue.written(bytes)
        case .fail(let code, let message, _):
            throw SFTPStatus.error(code: code, operation: "write", path: path, detail: message)
        case .ignore:
            break
        case .unexpected(let id):
            throw .protocolError("SFTP", "a reply to request \(id), which is not in flight, while writing \(path)")
        }
    }

    private func drainAll(_ context: SFTPWorkerContext) throws(SSHError) {
        queue.beginDrain()
        while channel != nil, !isDrained {
            guard step(context) else { break }
        }
        guard channel != nil else { throw queue.failure ?? .invalidArgument("the file is closed") }
    }

    /// Lets go of the file: with nothing in flight the handle is closed and the channel kept for
    /// reuse; otherwise the channel is discarded (the server closes the handle when its SFTP
    /// process exits).
    private func release(_ context: SFTPWorkerContext) {
        guard let channel else { return }
        self.channel = nil
        context.writers[id] = nil
        context.worker.transferClosed()
        if pipeline.isIdle, !channel.isBroken,
           let status = try? connection.blocking({ () throws(SSHError) in try channel.closeFile(handle) }),
           status.code == SFTPStatus.ok {
            connection.returnWriteChannel(channel)
        }
        _ = pipeline.abandon()
    }
}

@available(*, unavailable)
extension SFTPWriterState: Sendable {}
