import CubicleModel
import Hummingbird
import SSHClient

/// `/workspaces/:name/files`: download, list, upload, delete and resumable uploads, all over
/// the workspace's SFTP client as the workspace user, so the workspace's permissions apply.
struct FileRoutes: RouteSet {
    let dependencies: APIDependencies
    /// The temporary files this server is writing (one set per server).
    let temporaries = UploadTemporaries()

    /// The endpoints.
    enum Endpoint: CaseIterable {
        case download, upload, remove, startUpload, uploadStatus, putPart, completeUpload, abortUpload
    }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .download: (.get, "workspaces/:name/files")
        case .upload: (.put, "workspaces/:name/files")
        case .remove: (.delete, "workspaces/:name/files")
        case .startUpload: (.post, "workspaces/:name/files/uploads")
        case .uploadStatus: (.get, "workspaces/:name/files/uploads/:id")
        case .putPart: (.put, "workspaces/:name/files/uploads/:id/parts/:n")
        case .completeUpload: (.post, "workspaces/:name/files/uploads/:id/complete")
        case .abortUpload: (.delete, "workspaces/:name/files/uploads/:id")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        // Someone else's (or a missing) workspace answers 404 before anything about the request
        // itself is judged, so a stranger learns nothing from a 400.
        _ = try dependencies.visibleWorkspace(context.parameters.require("name"), for: try context.requireCaller())
        do {
            switch endpoint {
            case .download: return try await download(request, context)
            case .upload: return try await upload(request, context)
            case .remove: return try await remove(request, context)
            case .startUpload: return try await startUpload(request, context)
            case .uploadStatus: return try await uploadStatus(request, context)
            case .putPart: return try await putPart(request, context)
            case .completeUpload: return try await completeUpload(request, context)
            case .abortUpload: return try await abortUpload(request, context)
            }
        } catch let error as SSHError {
            throw Self.apiError(error)
        }
    }

    /// The caller's view of the workspace: 404 when missing or someone else's, 409 when not running.
    func workspace(_ context: CubicleRequestContext) throws -> (caller: Caller, name: String, client: SFTPClient) {
        let caller = try context.requireCaller()
        let name = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
        let endpoint = try dependencies.connector.endpoint(of: name)
        return (caller, name, dependencies.connector.sftp(for: endpoint))
    }

    /// `DELETE …/files?path=[&recursive=true]` → 204.
    private func remove(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let path = try FileQuery.path(request)
        let recursive = try FileQuery.flag(request, "recursive")
        let (_, _, client) = try workspace(context)
        let target = try await client.resolve(path.value)
        guard target != "/" else { throw APIError.invalid("refusing to delete /") }
        try await client.remove(target, recursive: recursive)
        return Response(status: .noContent)
    }

    /// The API answer for an SFTP failure. Failures SFTP reports only as "failure" (not a
    /// directory, not empty, no space) are the file system refusing: a conflict, not a bug.
    static func apiError(_ error: SSHError) -> any Error {
        if error.reason == .sftpFailure { return APIError(.conflict, .conflict, error.message) }
        return error
    }
}
