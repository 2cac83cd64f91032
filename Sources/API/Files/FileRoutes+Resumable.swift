import CubicleModel
import Foundation
import Hummingbird
import SSHClient
import Store

/// Resumable, parallel uploads: the parts of one file arrive in any order (and may be retried),
/// each written at its offset into one temporary file; `complete` verifies size and SHA-256,
/// fsyncs and renames. The record lives in the store, the bytes in the workspace, so a server
/// restart loses neither.
extension FileRoutes {
    /// `POST …/files/uploads {"path","size","sha256"?,"mkdirs"?,"overwrite"?,"mode"?}` →
    /// `201 {"uploadId","partSize","expiresAt"}`.
    func startUpload(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(StartUploadBody.self, from: request)
        let path = try WorkspacePath(body.path)
        guard body.size >= 0 else { throw APIError.invalid("size must be at least 0") }
        guard body.size <= dependencies.files.maxUploadBytes else {
            throw APIError(.contentTooLarge, .payloadTooLarge,
                           "the upload of \(body.size) bytes is larger than the limit of \(dependencies.files.maxUploadBytes) bytes")
        }
        let expectedHash = try body.sha256.map(Self.normalizedHash)
        let (caller, name, client) = try workspace(context)
        let mode = try body.mode.map { try FileQuery.mode($0[...]) }
        let destination = try await prepareDestination(path, client: client, mkdirs: body.mkdirs ?? false, overwrite: body.overwrite ?? true)
        let id = Self.randomID()
        let temporary = WorkspacePath.temporary(in: destination.directory, id: id)
        // Live until the record exists, so a concurrent sweep does not take it for abandoned.
        temporaries.begin(temporary)
        defer { temporaries.end(temporary) }
        let writer = try await openTemporary(temporary, destination: destination, mode: mode ?? destination.existing?.permissions ?? 0o644,
                                             client: client)
        try await writer.close()
        let now = dependencies.time.now
        let upload = Upload(
            uploadID: id, username: caller.username, workspace: name, path: destination.path, tempPath: temporary,
            size: body.size, sha256: expectedHash, partSize: dependencies.files.partSize, createdAt: now,
            expiresAt: now.addingTimeInterval(dependencies.files.uploadLifetime))
        do {
            try await dependencies.store.uploads.create(upload)
        } catch {
            try? await client.remove(temporary)
            throw error
        }
        client.prepare(sessions: UploadPlan(upload).partCount)
        return try JSONBody.response(UploadTicketBody(uploadId: id, partSize: upload.partSize, expiresAt: upload.expiresAt),
                                     status: .created)
    }

    /// `GET …/files/uploads/:id` → the parts received and those still missing.
    func uploadStatus(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let upload = try await ownUpload(context)
        return try JSONBody.response(UploadStatusBody(upload, plan: UploadPlan(upload)))
    }

    /// `PUT …/files/uploads/:id/parts/:n` → 204; the body must be exactly the part's span.
    func putPart(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let upload = try await ownUpload(context)
        let client = dependencies.connector.sftp(for: try dependencies.connector.endpoint(of: upload.workspace))
        let plan = UploadPlan(upload)
        let raw = try context.parameters.require("n")
        guard let number = Int(raw), let span = plan.span(of: number) else {
            throw APIError.invalid("part \(raw.prefix(20)) does not exist: this upload has parts 0…\(plan.partCount - 1)")
        }
        if let declared = try Self.contentLength(request), declared != span.length {
            throw APIError.invalid("part \(number) must be \(span.length) bytes, not \(declared)")
        }
        let writer: SFTPWriter
        do {
            writer = try await client.openForWriting(upload.tempPath, options: SFTPWriteOptions(create: false))
        } catch let error as SSHError where error.reason == .notFound {
            throw APIError(.gone, .gone, "the upload's temporary file is gone; start the upload again")
        }
        let copied: BodyCopy.Result
        do {
            copied = try await BodyCopy(limit: span.length, expected: span.length, limitIsSizeCap: false)
                .run(request.body, into: writer, at: UInt64(span.offset))
            try await writer.close()
        } catch {
            await writer.abort()
            throw error
        }
        dependencies.metrics.files.uploadBytes.increment(by: copied.size)
        try await dependencies.store.uploads.markPartReceived(
            uploadID: upload.uploadID, part: UploadPart(number: number, size: copied.size, sha256: copied.sha256))
        return Response(status: .noContent)
    }

    /// `POST …/files/uploads/:id/complete` → verifies, fsyncs, renames → `201 {"path","size","sha256"}`.
    func completeUpload(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let upload = try await ownUpload(context)
        let endpoint = try dependencies.connector.endpoint(of: upload.workspace)
        let client = dependencies.connector.sftp(for: endpoint)
        let plan = UploadPlan(upload)
        let missing = plan.missingParts(upload.parts)
        guard missing.isEmpty else {
            throw APIError(.conflict, .conflict, "parts still missing: \(missing.prefix(50).map(String.init).joined(separator: ", "))")
        }
        let info = try await client.stat(upload.tempPath)
        guard info.size == UInt64(upload.size) else {
            throw APIError(.conflict, .conflict, "the temporary file holds \(info.size) bytes, not \(upload.size)")
        }
        let digest = try await WorkspaceDigest(connector: dependencies.connector, endpoint: endpoint, client: client)
            .sha256(of: upload.tempPath, size: info.size)
        if let expected = upload.sha256, expected != digest {
            throw APIError(.conflict, .conflict, "the received bytes hash to \(digest), not the announced \(expected)")
        }
        let writer = try await client.openForWriting(upload.tempPath, options: SFTPWriteOptions(create: false))
        do {
            try await writer.fsync()
            try await writer.close()
        } catch {
            await writer.abort()
            throw error
        }
        try await client.rename(upload.tempPath, to: upload.path)
        dependencies.metrics.files.transfer(.upload, succeeded: true)
        try? await dependencies.store.uploads.delete(uploadID: upload.uploadID)
        return try JSONBody.response(UploadedFileBody(path: upload.path, size: upload.size, sha256: digest), status: .created)
    }

    /// `DELETE …/files/uploads/:id` → 204: the temporary file and the record are removed.
    func abortUpload(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let upload = try await ownUpload(context)
        let client = dependencies.connector.sftp(for: try dependencies.connector.endpoint(of: upload.workspace))
        do {
            try await client.remove(upload.tempPath)
        } catch let error as SSHError where error.reason == .notFound {
            // Already gone; the record still goes.
        }
        try await dependencies.store.uploads.delete(uploadID: upload.uploadID)
        dependencies.metrics.files.transfer(.upload, succeeded: false)
        return Response(status: .noContent)
    }

    /// The upload `:id` of this workspace and caller; 404 for anyone else's or an expired one.
    private func ownUpload(_ context: CubicleRequestContext) async throws -> Upload {
        let caller = try context.requireCaller()
        let name = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
        let id = try context.parameters.require("id")
        let notFound = APIError.notFound("upload \"\(id.prefix(64))\" not found")
        guard id.utf8.count <= 64 else { throw notFound }
        let upload: Upload
        do {
            upload = try await dependencies.store.uploads.get(uploadID: id)
        } catch let error as StoreError where error.code == .notFound {
            throw notFound
        }
        guard upload.workspace == name, upload.username == caller.username || caller.isAdmin else { throw notFound }
        return upload
    }

    /// A hex SHA-256 in lower case; anything else is `400`.
    static func normalizedHash(_ text: String) throws -> String {
        let lower = text.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw APIError.invalid("sha256 must be 64 hex digits")
        }
        return lower
    }
}
