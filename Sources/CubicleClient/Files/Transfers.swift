import AsyncHTTPClient
import CubicleModel
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// How a file goes up.
public struct UploadOptions: Sendable {
    /// Create missing parent directories.
    public var mkdirs = false
    /// Octal permission bits for the new file (`0600`).
    public var mode: String?
    /// Replace an existing file.
    public var overwrite = true
    /// Files at least this big go through the resumable, parallel upload API.
    public var resumableThreshold: Int64 = 64 << 20
    /// Parts in flight at once for a resumable upload.
    public var parallelParts = 4
    /// Where resumable uploads keep their state (so a run after an interruption resumes).
    public var stateDirectory: String?
    /// Told when a resumable upload picks up an earlier one: its id, and the bytes already there.
    public var onResume: @Sendable (_ uploadID: String, _ received: Int64) -> Void = { _, _ in }

    /// The defaults.
    public init() {}
}

/// Progress of a transfer: bytes done of the total (nil when unknown).
public typealias TransferProgress = @Sendable (_ done: Int64, _ total: Int64?) -> Void

extension CubicleAPI {
    /// `…/workspaces/<name>/files`.
    static func filesPath(_ workspace: String) -> String { "workspaces/\(URLEncoding.component(workspace))/files" }

    /// Uploads `file` to `path` in `workspace`; big regular files go through the resumable API.
    /// The server's answer (`{"path","size","sha256"}`).
    public func upload(
        _ file: LocalFile, to workspace: String, path: String, options: UploadOptions, progress: @escaping TransferProgress = { _, _ in }
    ) async throws -> JSONValue {
        if let size = file.size, size >= options.resumableThreshold {
            return try await resumableUpload(file, size: size, to: workspace, path: path, options: options, progress: progress)
        }
        var query: [(String, String)] = [("path", path)]
        if options.mkdirs { query.append(("mkdirs", "true")) }
        if let mode = options.mode { query.append(("mode", mode)) }
        if !options.overwrite { query.append(("overwrite", "false")) }
        let chunks = FileChunks(file: file, range: 0..<(file.size ?? Int64.max), progress: progress)
        let length: HTTPClientRequest.Body.Length = file.size.map { .known(Int($0)) } ?? .unknown
        let response = try await send(
            .PUT, Self.filesPath(workspace), query: query, headers: [("Content-Type", "application/octet-stream")],
            body: .stream(chunks, length: length))
        return try JSONValue.parse(try await Self.collect(response, limit: 1 << 20))
    }

    /// Downloads `path` from `workspace` into `file`, starting at `offset` (a resumed download
    /// asks for the rest with `Range`). The number of bytes written.
    @discardableResult
    public func download(
        _ workspace: String, path: String, into file: LocalFile, from offset: Int64 = 0, progress: @escaping TransferProgress = { _, _ in }
    ) async throws -> Int64 {
        var headers: [(String, String)] = []
        if offset > 0 { headers.append(("Range", "bytes=\(offset)-")) }
        let response = try await send(.GET, Self.filesPath(workspace), query: [("path", path)], headers: headers)
        var total: Int64?
        if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init) {
            total = offset + length
        }
        if offset > 0, response.status != .partialContent {
            throw ClientError.protocolError("the server did not resume at byte \(offset) (answered \(response.status.code))")
        }
        var done = offset
        for try await chunk in response.body {
            try await file.write(chunk)
            done += Int64(chunk.readableBytes)
            progress(done, total)
        }
        if let total, done != total {
            throw ClientError.unreachable("the download ended after \(done) of \(total) bytes")
        }
        return done - offset
    }

    /// The size of a remote file (`Content-Length` of an empty range), or nil when it is missing.
    public func remoteSize(_ workspace: String, path: String) async throws -> Int64? {
        do {
            let response = try await send(.GET, Self.filesPath(workspace), query: [("path", path)], headers: [("Range", "bytes=0-0")])
            let range = response.headers.first(name: "Content-Range")
            for try await _ in response.body {}
            return range.flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
        } catch let error as ClientError where error.status == 404 {
            return nil
        } catch let error as ClientError where error.status == 416 {
            return 0
        }
    }
}

/// A file's bytes as 1 MiB buffers, read on the thread pool as the request body is sent.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: LocalFile
    let range: Range<Int64>
    let progress: TransferProgress
    var chunkSize = 1 << 20

    func makeAsyncIterator() -> Iterator { Iterator(chunks: self, position: range.lowerBound) }

    struct Iterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var position: Int64

        mutating func next() async throws -> ByteBuffer? {
            guard position < chunks.range.upperBound else { return nil }
            let wanted = Int(Swift.min(Int64(chunks.chunkSize), chunks.range.upperBound - position))
            let buffer = try await chunks.file.read(at: chunks.file.size == nil ? nil : position, count: wanted)
            if buffer.readableBytes == 0 {
                guard chunks.file.size == nil || chunks.range.upperBound == Int64.max else {
                    throw ClientError.invalid("\(chunks.file.path) shrank while it was being sent")
                }
                return nil
            }
            position += Int64(buffer.readableBytes)
            chunks.progress(position - chunks.range.lowerBound, chunks.file.size)
            return buffer
        }
    }
}
