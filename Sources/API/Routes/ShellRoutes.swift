import CubicleModel
import Foundation
import Hummingbird
import NIOPosix
import Store

/// Interactive shells and their records: the `/interactive` endpoint as plain HTTP (answers the
/// errors an upgrade would get, or 400 without an upgrade; the upgrade itself is served by
/// `APIRouter.webSocketServer`), the session lists, and recordings.
struct ShellRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints.
    enum Endpoint: CaseIterable { case interactive, mySessions, userSessions, recording }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .interactive: (.get, "workspaces/:name/interactive")
        case .mySessions: (.get, "me/sessions")
        case .userSessions: (.get, "users/:u/sessions")
        case .recording: (.get, "sessions/:id/recording")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .interactive:
            _ = try ShellGateway(dependencies: dependencies).plan(request, context)
            throw APIError.invalid("this endpoint needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)")
        case .mySessions: return try await sessions("me", request, context)
        case .userSessions: return try await sessions(context.parameters.require("u"), request, context)
        case .recording: return try await recording(context.parameters.require("id"), context)
        }
    }

    private func sessions(_ segment: String, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let username = try context.requireCaller().resolve(segment)
        let query = request.query
        var limit: Int?
        if let text = query["limit"] {
            guard let value = Int(text), (1...10_000).contains(value) else { throw APIError.invalid("limit must be from 1 to 10000") }
            limit = value
        }
        let workspace = query["workspace"].map(String.init)
        let rows = try await dependencies.store.shellSessions.list(username: username, workspace: workspace, limit: limit)
        return try JSONBody.response(rows.map(SessionBody.init))
    }

    private func recording(_ id: String, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let row: Store.ShellSession
        do {
            row = try await dependencies.store.shellSessions.get(sessionID: id)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("session \"\(id.prefix(64))\" not found")
        }
        guard caller.mayAccess(owner: row.username) else { throw APIError.notFound("session \"\(id.prefix(64))\" not found") }
        guard let path = row.recordingPath else { throw APIError.notFound("session \(row.sessionID) was not recorded") }
        let body = try await FileIO(threadPool: .singleton).loadFile(path: path, context: context)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-asciicast"
        headers[.contentDisposition] = "attachment; filename=\"\(row.sessionID).cast\""
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// `Session` of the API.
struct SessionBody: Encodable {
    let session: Store.ShellSession

    enum CodingKeys: String, CodingKey {
        case sessionID, username, workspace, blueprint, client, clientIP, startTime, endTime, bytesIn, bytesOut, operations, recording
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(session.sessionID, forKey: .sessionID)
        try c.encode(session.username, forKey: .username)
        try c.encode(session.workspace, forKey: .workspace)
        try c.encode(session.blueprint, forKey: .blueprint)
        try c.encode(session.client, forKey: .client)
        try c.encode(session.clientIP, forKey: .clientIP)
        try c.encode(session.startTime, forKey: .startTime)
        if let end = session.endTime { try c.encode(end, forKey: .endTime) } else { try c.encodeNil(forKey: .endTime) }
        try c.encode(session.bytesIn, forKey: .bytesIn)
        try c.encode(session.bytesOut, forKey: .bytesOut)
        try c.encode(ShellOperation.allCases.filter { session.operations.contains($0) }.map(\.rawValue), forKey: .operations)
        if session.recordingPath != nil {
            try c.encode("/\(APIRouter.root)/sessions/\(session.sessionID)/recording", forKey: .recording)
        }
    }
}
