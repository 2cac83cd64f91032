import CLibSSH

/// An upload as its worker thread sees it: the open file and the queue it drains with writes
/// of up to the connection's write limit.
final class SFTPWriterState {
    let id: UInt64
    let path: String
    private let connection: SFTPConnection
    private var file: sftp_file?
    let queue: UploadQueue
    private let writeLimit: Int

    /// Writes per job before yielding the worker to other queued jobs.
    private static let writesPerTurn = 16

    init(id: UInt64, path: String, connection: SFTPConnection, file: sftp_file, queue: UploadQueue) {
        self.id = id
        self.path = path
        self.connection = connection
        self.file = file
        self.queue = queue
        self.writeLimit = connection.writeLimit()
    }

    /// A drain job: writes a turn's worth and reschedules itself while bytes remain.
    func drainTurn(_ context: SFTPWorkerContext) {
        queue.beginDrain()
        guard drain(context, maximumWrites: Self.writesPerTurn) else { return }
        if !queue.isEmpty {
            let writerID = id
            _ = context.worker.post { $0.writers[writerID]?.drainTurn($0) }
        }
    }

    /// Writes queued bytes; false when the upload failed.
    @discardableResult
    func drain(_ context: SFTPWorkerContext, maximumWrites: Int = .max) -> Bool {
        var writes = 0
        while writes < maximumWrites, let file, let batch = queue.takeBatch(maximum: writeLimit) {
            _ = sftp_seek64(file, batch.offset)
            let written = try? connection.blocking { () throws(SSHError) -> Int in
                batch.bytes.withUnsafeBytes { sftp_write(file, $0.baseAddress, $0.count) }
            }
            guard written == batch.bytes.count else {
                fail(connection.error("write", path), context: context)
                return false
            }
            queue.written(batch.bytes.count)
            writes += 1
        }
        return file != nil
    }

    /// Writes everything queued, then asks the server to flush the file to disk.
    func fsync(_ context: SFTPWorkerContext) throws(SSHError) {
        try drainAll(context)
        guard let file else { throw queue.failure ?? .invalidArgument("the file is closed") }
        guard sftp_extension_supported(connection.sftp, "fsync@openssh.com", "1") != 0 else {
            throw .init(code: .internalError, reason: .sftpFailure, message: "the SFTP server cannot fsync (\(path))")
        }
        let rc = try connection.blocking { () throws(SSHError) -> Int32 in sftp_fsync(file) }
        guard rc == 0 else { throw connection.error("fsync", path) }
    }

    /// Writes everything queued and closes the file.
    func close(_ context: SFTPWorkerContext) throws(SSHError) {
        queue.close()
        try drainAll(context)
        guard let file else { throw queue.failure ?? .invalidArgument("the file is closed") }
        self.file = nil
        context.writers[id] = nil
        context.worker.transferClosed()
        let rc = try connection.blocking { () throws(SSHError) -> Int32 in sftp_close(file) }
        guard rc == 0 else { throw connection.error("close", path) }
    }

    /// Drops what is queued and closes the file without waiting for anything.
    func abort(_ context: SFTPWorkerContext) {
        queue.fail(.channelClosed("the upload of \(path) was aborted"))
        closeFile(context)
    }

    /// Fails the upload with `error`.
    func fail(_ error: SSHError, context: SFTPWorkerContext) {
        queue.fail(error)
        closeFile(context)
        context.noteFailure(error)
    }

    private func drainAll(_ context: SFTPWorkerContext) throws(SSHError) {
        queue.beginDrain()
        guard drain(context) else { throw queue.failure ?? .invalidArgument("the file is closed") }
    }

    private func closeFile(_ context: SFTPWorkerContext) {
        guard let file else { return }
        self.file = nil
        _ = try? connection.blocking { () throws(SSHError) -> Int32 in sftp_close(file) }
        context.writers[id] = nil
        context.worker.transferClosed()
    }
}

@available(*, unavailable)
extension SFTPWriterState: Sendable {}
