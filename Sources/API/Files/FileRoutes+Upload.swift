import CubicleModel
import Foundation
import Hummingbird
import SSHClient

extension FileRoutes {
    /// `PUT …/files?path=[&mode=][&mkdirs=true][&overwrite=false]`: the body streams into a
    /// hidden temporary file next to the target, which is fsynced and renamed over the target
    /// only after the last byte. Any failure (disconnect, short body, too large, server stop)
    /// removes the temporary file and leaves the target as it was; one left by a server that
    /// died mid-upload is removed by the next upload into the directory (`UploadTemporaries`).
    func upload(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let path = try FileQuery.path(request)
        let mode = try FileQuery.mode(request)
        let mkdirs = try FileQuery.flag(request, "mkdirs")
        let overwrite = try FileQuery.flag(request, "overwrite", default: true)
        let limit = dependencies.files.maxUploadBytes
        let declared = try Self.contentLength(request)
        if let declared, declared > limit {
            throw APIError(.contentTooLarge, .payloadTooLarge, "the upload of \(declared) bytes is larger than the limit of \(limit) bytes")
        }
        let (_, _, client) = try workspace(context)
        let destination = try await prepareDestination(path, client: client, mkdirs: mkdirs, overwrite: overwrite)
        let temporary = WorkspacePath.temporary(in: destination.directory, id: Self.randomID())
        temporaries.begin(temporary)
        defer { temporaries.end(temporary) }
        await temporaries.sweep(destination.directory, client: client, uploads: dependencies.store.uploads)
        let writer = try await openTemporary(temporary, destination: destination,
                                             mode: mode ?? destination.existing?.permissions ?? 0o644, client: client)
        do {
            let copied = try await BodyCopy(limit: limit, expected: declared, limitIsSizeCap: true).run(request.body, into: writer)
            try await writer.fsync()
            try await writer.close()
            if let bits = mode ?? destination.existing?.permissions { try await client.chmod(temporary, mode: bits) }
            if !overwrite, try await Self.exists(destination.path, client: client) {
                throw APIError(.conflict, .alreadyExists, "\(WorkspacePath.shown(destination.path)) already exists")
            }
            try await client.rename(temporary, to: destination.path)
            dependencies.metrics.files.uploadBytes.increment(by: copied.size)
            dependencies.metrics.files.transfer(.upload, succeeded: true)
            return try JSONBody.response(UploadedFileBody(path: destination.path, size: copied.size, sha256: copied.sha256),
                                         status: .created)
        } catch {
            dependencies.metrics.files.transfer(.upload, succeeded: false)
            await writer.abort()
            try? await client.remove(temporary)
            throw error
        }
    }

    /// Where an upload lands.
    struct Destination: Sendable {
        /// The absolute target path.
        let path: String
        /// Its directory (where the temporary file goes).
        let directory: String
        /// The file being replaced, if any.
        let existing: SFTPFileInfo?
    }

    /// Resolves `path`, creates parents with `mkdirs`, and refuses directories and (without
    /// `overwrite`) existing files.
    func prepareDestination(_ path: WorkspacePath, client: SFTPClient, mkdirs: Bool, overwrite: Bool) async throws -> Destination {
        let target = try await client.resolve(path.value)
        let name = WorkspacePath.name(of: target)
        guard WorkspacePath.isWritableName(name) else {
            throw APIError.invalid("\(WorkspacePath.shown(target)) does not name a file")
        }
        let directory = WorkspacePath.directory(of: target)
        if mkdirs { try await client.makeDirectory(directory, intermediate: true) }
        var existing: SFTPFileInfo?
        do {
            existing = try await client.stat(target)
        } catch let error as SSHError where error.reason == .notFound {
            existing = nil
        } catch let error as SSHError where error.reason == .permissionDenied {
            throw APIError.forbidden("permission denied: \(WorkspacePath.shown(target))")
        }
        if let existing {
            if existing.isDirectory { throw APIError(.conflict, .conflict, "\(WorkspacePath.shown(target)) is a directory") }
            if !overwrite { throw APIError(.conflict, .alreadyExists, "\(WorkspacePath.shown(target)) already exists") }
        }
        return Destination(path: target, directory: directory, existing: existing)
    }

    /// Creates the temporary file (exclusively), naming the directory in errors rather than
    /// the temporary name.
    func openTemporary(_ temporary: String, destination: Destination, mode: UInt32, client: SFTPClient) async throws -> SFTPWriter {
        do {
            return try await client.openForWriting(temporary, options: SFTPWriteOptions(create: true, exclusive: true, mode: mode | 0o600))
        } catch let error as SSHError where error.reason == .notFound {
            throw APIError.notFound("no such directory: \(WorkspacePath.shown(destination.directory)) (mkdirs=true creates it)")
        } catch let error as SSHError where error.reason == .permissionDenied {
            throw APIError.forbidden("permission denied: \(WorkspacePath.shown(destination.directory)) is not writable")
        } catch let error as SSHError where error.reason == .sftpFailure {
            throw APIError(.conflict, .conflict, "cannot create a file in \(WorkspacePath.shown(destination.directory))")
        }
    }

    /// The declared `Content-Length`, if any; a malformed one is `400`.
    static func contentLength(_ request: Request) throws -> Int64? {
        guard let raw = request.headers[.contentLength] else { return nil }
        guard let value = Int64(raw), value >= 0 else { throw APIError.invalid("Content-Length must be a byte count") }
        return value
    }

    /// True when `path` exists (as anything).
    static func exists(_ path: String, client: SFTPClient) async throws -> Bool {
        do {
            _ = try await client.lstat(path)
            return true
        } catch let error as SSHError where error.reason == .notFound {
            return false
        }
    }

    /// 128 random bits in hex, for upload ids and temporary names.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return BodyCopy.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
