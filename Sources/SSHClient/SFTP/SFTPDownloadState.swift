import CLibSSH

/// A download as its worker thread sees it: the open file, the read pipeline and the buffer
/// towards the consumer. `pump` keeps up to `readsInFlight` reads outstanding while the buffer
/// (counting bytes in flight) has room, and stops issuing reads when the consumer lags; the
/// buffer's drain hook schedules the next `pump`.
final class SFTPDownloadState {
    let id: UInt64
    let path: String
    private let connection: SFTPConnection
    private var file: sftp_file?
    private var pipeline: ReadPipeline
    let buffer: BackpressureBuffer<[UInt8]>

    /// Replies consumed per job before yielding the worker to other queued jobs.
    private static let repliesPerTurn = 32

    init(id: UInt64, path: String, connection: SFTPConnection, file: sftp_file, pipeline: ReadPipeline,
         buffer: BackpressureBuffer<[UInt8]>) {
        self.id = id
        self.path = path
        self.connection = connection
        self.file = file
        self.pipeline = pipeline
        self.buffer = buffer
    }

    /// Issues and consumes reads until the range is done, the buffer is full or the turn is over.
    func pump(_ context: SFTPWorkerContext) {
        var replies = 0
        while let file {
            if buffer.isFinished {
                abort(context)
                return
            }
            while let next = pipeline.nextRead {
                let needed = pipeline.inFlightBytes + next.length
                guard buffer.reserve(needed) >= needed else { break }
                guard let id = issue(file, offset: next.offset, length: next.length) else { return fail(readError(), context: context) }
                pipeline.issued(id: id, offset: next.offset, length: next.length)
            }
            guard let head = pipeline.head else {
                if pipeline.isComplete { finish(context) }
                return
            }
            var bytes = [UInt8](repeating: 0, count: head.length)
            // Seeking clears libssh's per-file EOF flag, which would make the read skip its reply.
            _ = sftp_seek64(file, head.offset)
            let received = try? connection.blocking { () throws(SSHError) -> Int32 in
                bytes.withUnsafeMutableBytes { sftp_async_read(file, $0.baseAddress, UInt32(head.length), head.id) }
            }
            guard let received, received >= 0 else { return fail(readError(), context: context) }
            switch pipeline.complete(received: Int(received)) {
            case .truncated(let size):
                return fail(.init(code: .internalError, reason: .sftpFailure,
                                  message: "\(path) shrank to \(size) bytes while it was being read"), context: context)
            case .deliver(let count, let followUp):
                if count < bytes.count { bytes.removeSubrange(count...) }
                buffer.yield(bytes, bytes: count)
                if let followUp {
                    guard let id = issue(file, offset: followUp.offset, length: followUp.length) else {
                        return fail(readError(), context: context)
                    }
                    pipeline.issuedFollowUp(id: id, offset: followUp.offset, length: followUp.length)
                }
            }
            replies += 1
            if replies >= Self.repliesPerTurn {
                let downloadID = id
                _ = context.worker.post { $0.downloads[downloadID]?.pump($0) }
                return
            }
        }
    }

    /// Stops early (the consumer went away): drains replies in flight and closes the file.
    func abort(_ context: SFTPWorkerContext) {
        buffer.finish(throwing: SSHError.channelClosed("the download was cancelled"))
        closeFile(context, drain: true)
    }

    /// Fails the download; the consumer sees `error` after the bytes already buffered.
    func fail(_ error: SSHError, context: SFTPWorkerContext) {
        buffer.finish(throwing: error)
        closeFile(context, drain: error.reason != .sessionDied)
        context.noteFailure(error)
    }

    private func finish(_ context: SFTPWorkerContext) {
        buffer.finish()
        closeFile(context, drain: false)
    }

    private func issue(_ file: sftp_file, offset: UInt64, length: Int) -> UInt32? {
        _ = sftp_seek64(file, offset)
        let id = try? connection.blocking { () throws(SSHError) -> Int32 in sftp_async_read_begin(file, UInt32(length)) }
        guard let id, id >= 0 else { return nil }
        return UInt32(id)
    }

    private func readError() -> SSHError { connection.error("read", path) }

    /// Closes the file once; with `drain`, first collects the replies still in flight so they do
    /// not pile up in libssh's queue for the rest of the connection's life.
    private func closeFile(_ context: SFTPWorkerContext, drain: Bool) {
        guard let file else { return }
        self.file = nil
        let pending = pipeline.clear()
        if drain {
            var scratch = [UInt8](repeating: 0, count: pipeline.chunkSize)
            for request in pending {
                _ = sftp_seek64(file, request.offset)
                _ = try? connection.blocking { () throws(SSHError) -> Int32 in
                    scratch.withUnsafeMutableBytes {
                        sftp_async_read(file, $0.baseAddress, UInt32(request.length), request.id)
                    }
                }
            }
        }
        _ = try? connection.blocking { () throws(SSHError) -> Int32 in sftp_close(file) }
        context.downloads[id] = nil
        context.worker.transferClosed()
    }
}

@available(*, unavailable)
extension SFTPDownloadState: Sendable {}
