import AsyncHTTPClient
import CubicleModel
import Crypto
import Foundation
import NIOCore
import Synchronization

/// What a resumable upload remembers between runs: enough to find the upload again when the
/// same file goes to the same place (an interrupted `cubicle cp` run again resumes).
struct ResumableUploadState: Codable, Sendable, Equatable {
    var server: String
    var workspace: String
    var remotePath: String
    var localPath: String
    var size: Int64
    var modified: Int64?
    var uploadId: String
    var partSize: Int64
    var sha256: String

    /// The state file for this transfer under `directory`.
    static func file(in directory: String, server: String, workspace: String, remotePath: String, local: LocalFile) -> String {
        let absolute = local.path.hasPrefix("/") ? local.path : FileManager.default.currentDirectoryPath + "/" + local.path
        let key = "\(server)|\(workspace)|\(remotePath)|\(absolute)|\(local.size ?? -1)|\(local.modified ?? -1)"
        let digest = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
        return directory + "/uploads/" + digest + ".json"
    }
}

extension CubicleAPI {
    /// The resumable, parallel upload: parts in flight at once, the upload's id kept in a state
    /// file so that a run after an interruption sends only the parts still missing.
    func resumableUpload(
        _ file: LocalFile, size: Int64, to workspace: String, path: String, options: UploadOptions, progress: @escaping TransferProgress
    ) async throws -> JSONValue {
        let stateFile = options.stateDirectory.map {
            ResumableUploadState.file(in: $0, server: connection.server, workspace: workspace, remotePath: path, local: file)
        }
        let uploads = "\(Self.filesPath(workspace))/uploads"
        var state = try await stateFile.asyncFlatMap { try await Self.loadState($0) }
        var missing: [Int]?
        if let known = state {
            do {
                let status = try await json(.GET, "\(uploads)/\(URLEncoding.component(known.uploadId))")
                missing = status["missing"]?.arrayValue?.compactMap { $0.intValue.map(Int.init) }
            } catch let error as ClientError where error.status == 404 {
                state = nil  // expired or completed elsewhere: start again
            }
        }
        if state == nil {
            let hash = try await Self.sha256(of: file, size: size)
            var body: JSONValue = ["path": .string(path), "size": .int(size), "sha256": .string(hash)]
            if options.mkdirs { body["mkdirs"] = .bool(true) }
            if !options.overwrite { body["overwrite"] = .bool(false) }
            if let mode = options.mode { body["mode"] = .string(mode) }
            let ticket = try await json(.POST, uploads, body: body)
            guard let id = ticket["uploadId"]?.stringValue, let partSize = ticket["partSize"]?.intValue, partSize > 0 else {
                throw ClientError.protocolError("the server's upload ticket has no uploadId or partSize")
            }
            let fresh = ResumableUploadState(
                server: connection.server, workspace: workspace, remotePath: path, localPath: file.path, size: size,
                modified: file.modified, uploadId: id, partSize: partSize, sha256: hash)
            if let stateFile { try await Self.saveState(fresh, to: stateFile) }
            state = fresh
            missing = nil
        }
        guard let state else { throw ClientError.protocolError("no upload state") }
        let partCount = max(1, Int((size + state.partSize - 1) / state.partSize))
        let todo = missing ?? Array(0..<partCount)
        let spans = todo.map { number -> (Int, Range<Int64>) in
            let start = Int64(number) * state.partSize
            return (number, start..<min(size, start + state.partSize))
        }
        let already = size - spans.reduce(0) { $0 + Int64($1.1.count) }
        if missing != nil { options.onResume(state.uploadId, already) }
        let counter = PartCounter(already: already, size: size, progress: progress)
        progress(already, size)
        let id = state.uploadId
        try await withThrowingTaskGroup(of: Void.self) { group in
            var remaining = spans.makeIterator()
            var inFlight = 0
            while true {
                while inFlight < max(1, options.parallelParts), let (number, range) = remaining.next() {
                    group.addTask {
                        try await self.putPart(file, uploads: uploads, id: id, number: number, range: range, counter: counter)
                    }
                    inFlight += 1
                }
                guard inFlight > 0 else { break }
                try await group.next()
                inFlight -= 1
            }
        }
        let result = try await json(.POST, "\(uploads)/\(URLEncoding.component(state.uploadId))/complete")
        if let stateFile { _ = try? await LocalFile.blocking { try FileManager.default.removeItem(atPath: stateFile) } }
        return result
    }

    private func putPart(
        _ file: LocalFile, uploads: String, id: String, number: Int, range: Range<Int64>, counter: PartCounter
    ) async throws {
        let chunks = FileChunks(file: file, range: range) { done, _ in counter.update(part: number, sent: done) }
        let response = try await send(
            .PUT, "\(uploads)/\(URLEncoding.component(id))/parts/\(number)",
            headers: [("Content-Type", "application/octet-stream")], body: .stream(chunks, length: .known(Int(range.count))))
        for try await _ in response.body {}
    }

    /// The file's SHA-256 in hex, read on the thread pool.
    static func sha256(of file: LocalFile, size: Int64) async throws -> String {
        var hasher = SHA256()
        var offset: Int64 = 0
        while offset < size {
            let chunk = try await file.read(at: offset, count: 4 << 20)
            guard chunk.readableBytes > 0 else { break }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            offset += Int64(chunk.readableBytes)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func loadState(_ path: String) async throws -> ResumableUploadState? {
        try await LocalFile.blocking {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return try? JSONDecoder().decode(ResumableUploadState.self, from: data)
        }
    }

    static func saveState(_ state: ResumableUploadState, to path: String) async throws {
        let data = try JSONEncoder().encode(state)
        try await LocalFile.blocking {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try PrivateFile.write(Array(data), to: path)
        }
    }
}

extension Optional {
    /// `flatMap` with an async transform.
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// Adds up what the parts in flight have sent, for one progress figure.
final class PartCounter: Sendable {
    private let sent = Mutex<[Int: Int64]>([:])
    private let already: Int64
    private let size: Int64
    private let progress: TransferProgress

    init(already: Int64, size: Int64, progress: @escaping TransferProgress) {
        self.already = already
        self.size = size
        self.progress = progress
    }

    func update(part: Int, sent bytes: Int64) {
        let total = sent.withLock { sent in
            sent[part] = bytes
            return sent.values.reduce(0, +)
        }
        progress(already + total, size)
    }
}
