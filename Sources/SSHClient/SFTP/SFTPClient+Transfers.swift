import CLibSSH
import Foundation
import Glibc

extension SFTPClient {
    /// Opens `path` and starts reading `length` bytes from `offset` (to the end by default)
    /// with pipelined reads. The returned sequence yields the bytes with back-pressure: when its
    /// consumer lags, no new reads are issued. An `offset` past the end is `range_not_satisfiable`.
    public func download(_ path: String, offset: UInt64 = 0, length: UInt64? = nil) async throws -> SFTPDownload {
        let resolved = try await resolve(path)
        let id = makeID()
        let configuration = self.configuration
        let buffer = BackpressureBuffer<[UInt8]>(limit: max(configuration.downloadBufferBytes, configuration.readChunkSize * 2))
        let (worker, info, end) = try await perform { context, connection throws(SSHError) in
            let file = try connection.blocking { () throws(SSHError) in sftp_open(connection.sftp, resolved, O_RDONLY, 0) }
            guard let file else { throw connection.error("open", resolved) }
            let info: SFTPFileInfo
            do throws(SSHError) {
                let attributes = try connection.blocking { () throws(SSHError) in sftp_fstat(file) }
                guard let attributes else { throw connection.error("stat", resolved) }
                info = SFTPConnection.info(attributes, name: SFTPConnection.lastComponent(resolved), path: resolved)
                sftp_attributes_free(attributes)
                guard !info.isDirectory else { throw .invalidArgument("\(resolved) is a directory") }
                guard offset <= info.size else {
                    throw SSHError(code: .rangeNotSatisfiable, reason: .invalidArgument,
                                   message: "offset \(offset) is past the end of \(resolved) (\(info.size) bytes)")
                }
            } catch {
                _ = try? connection.blocking { () throws(SSHError) in sftp_close(file) }
                throw error
            }
            let end = length.map { min(info.size, offset &+ $0) } ?? info.size
            let pipeline = ReadPipeline(offset: offset, end: max(offset, end), chunkSize: configuration.readChunkSize,
                                        maxInFlight: configuration.readsInFlight)
            let state = SFTPDownloadState(id: id, path: resolved, connection: connection, file: file, pipeline: pipeline,
                                          buffer: buffer)
            let worker = context.worker
            context.downloads[id] = state
            worker.transferOpened()
            buffer.setOnDrained { _ = worker.post { $0.downloads[id]?.pump($0) } }
            state.pump(context)
            return (worker, info, max(offset, end))
        }
        return SFTPDownload(info: info, offset: offset, length: end - offset, buffer: buffer, worker: worker, id: id)
    }

    /// Opens `path` for writing. Bytes written through the returned writer are queued (with
    /// back-pressure) and sent as pipelined WRITEs, many in flight, on a raw SFTP channel of the
    /// worker's session; `close()` or `fsync()` report any failure.
    public func openForWriting(_ path: String, options: SFTPWriteOptions = SFTPWriteOptions()) async throws -> SFTPWriter {
        let resolved = try await resolve(path)
        let id = makeID()
        let configuration = self.configuration
        let queue = UploadQueue(limit: max(configuration.uploadQueueBytes, configuration.writeChunkSize * configuration.writesInFlight))
        var flags = SFTPPacket.OpenFlags.write
        if options.create { flags |= SFTPPacket.OpenFlags.create }
        if options.exclusive { flags |= SFTPPacket.OpenFlags.exclusive | SFTPPacket.OpenFlags.create }
        if options.truncate { flags |= SFTPPacket.OpenFlags.truncate }
        let openFlags = flags
        let worker = try await perform { context, connection throws(SSHError) in
            let channel = try connection.takeWriteChannel()
            let opened = try connection.blocking { () throws(SSHError) in
                try channel.openFile(resolved, flags: openFlags, mode: options.mode)
            }
            let handle: [UInt8]
            switch opened {
            case .handle(let value):
                handle = value
            case .refused(let status):
                connection.returnWriteChannel(channel)
                if options.exclusive, status.code == SFTPStatus.failure, (try? connection.lstat(resolved)) != nil {
                    throw SSHError(code: .alreadyExists, reason: .alreadyExists, message: "already exists: \(resolved)")
                }
                throw SFTPStatus.error(code: status.code, operation: "open", path: resolved, detail: status.message)
            }
            let state = SFTPWriterState(id: id, path: resolved, connection: connection, channel: channel, handle: handle,
                                        queue: queue, writesInFlight: configuration.writesInFlight)
            context.writers[id] = state
            context.worker.transferOpened()
            return context.worker
        }
        return SFTPWriter(path: resolved, queue: queue, worker: worker, id: id, client: self)
    }
}

/// A running download: an async sequence of byte chunks in file order.
public final class SFTPDownload: AsyncSequence, Sendable {
    /// A chunk of the file.
    public typealias Element = [UInt8]

    /// The file's attributes when it was opened.
    public let info: SFTPFileInfo
    /// Where the download starts.
    public let offset: UInt64
    /// How many bytes it delivers (the range, clipped to the file's size at open).
    public let length: UInt64
    private let buffer: BackpressureBuffer<[UInt8]>
    private let worker: SFTPWorker
    private let id: UInt64

    init(info: SFTPFileInfo, offset: UInt64, length: UInt64, buffer: BackpressureBuffer<[UInt8]>, worker: SFTPWorker,
         id: UInt64) {
        self.info = info
        self.offset = offset
        self.length = length
        self.buffer = buffer
        self.worker = worker
        self.id = id
    }

    deinit { cancel() }

    /// Bytes buffered for the consumer right now.
    public var bufferedBytes: Int { buffer.bufferedBytes }

    /// Stops the download; reads in flight are collected and the file is closed.
    public func cancel() {
        let id = self.id
        buffer.finish(throwing: SSHError.channelClosed("the download was cancelled"))
        _ = worker.post { context in context.downloads[id]?.abort(context) }
    }

    /// The iterator; one consumer per download.
    public func makeAsyncIterator() -> Iterator { Iterator(download: self) }

    /// Pulls chunks from the download's bounded buffer.
    public struct Iterator: AsyncIteratorProtocol {
        let download: SFTPDownload

        /// The next chunk, or nil after the last byte.
        public mutating func next() async throws -> [UInt8]? {
            try await download.buffer.next()
        }
    }
}

/// An open file being written. Writes queue with back-pressure and go out in large SFTP
/// writes; `close()` (or `fsync()`) surfaces any failure. `abort()` closes without finishing so
/// the caller can remove the partial file.
public final class SFTPWriter: Sendable {
    /// The absolute path being written.
    public let path: String
    private let queue: UploadQueue
    private let worker: SFTPWorker
    private let id: UInt64
    private let client: SFTPClient

    init(path: String, queue: UploadQueue, worker: SFTPWorker, id: UInt64, client: SFTPClient) {
        self.path = path
        self.queue = queue
        self.worker = worker
        self.id = id
        self.client = client
    }

    deinit {
        let id = self.id
        _ = worker.post { context in context.writers[id]?.abort(context) }
    }

    /// Bytes the server has confirmed so far.
    public var bytesWritten: UInt64 { queue.acknowledgedBytes }

    /// Appends `bytes` after everything written so far.
    public func write(_ bytes: [UInt8]) async throws {
        try await enqueue(bytes, at: nil)
    }

    /// Writes `bytes` at `offset` (parts of a resumable upload may arrive in any order).
    public func write(_ bytes: [UInt8], at offset: UInt64) async throws {
        try await enqueue(bytes, at: offset)
    }

    /// Writes everything queued and flushes the file to disk (`fsync@openssh.com`).
    public func fsync() async throws {
        let id = self.id
        try await client.performBound(on: worker) { context throws(SSHError) in
            guard let state = context.writers[id] else { throw self.queue.failure ?? .channelClosed("the file is closed") }
            try state.fsync(context)
        }
    }

    /// Writes everything queued and closes the file.
    public func close() async throws {
        let id = self.id
        queue.close()
        try await client.performBound(on: worker) { context throws(SSHError) in
            guard let state = context.writers[id] else {
                if let failure = self.queue.failure { throw failure }
                return
            }
            try state.close(context)
        }
    }

    /// Drops queued bytes and closes the file; the partial file stays for the caller to remove.
    public func abort() async {
        let id = self.id
        queue.fail(.channelClosed("the upload of \(path) was aborted"))
        _ = try? await client.performBound(on: worker) { context throws(SSHError) in
            context.writers[id]?.abort(context)
        }
    }

    private func enqueue(_ bytes: [UInt8], at offset: UInt64?) async throws {
        if try queue.enqueue(bytes, at: offset) {
            let id = self.id
            guard worker.post({ $0.writers[id]?.drainTurn($0) }) else {
                queue.fail(.channelClosed("the SFTP worker holding \(path) has stopped"))
                throw SSHError.channelClosed("the SFTP worker holding \(path) has stopped")
            }
        }
        try await queue.waitForRoom()
    }
}
