import CubicleModel
import Hummingbird
import SSHClient

/// `/workspaces/:name/apps…` and `/workspaces/:name/sysinfo`: what runs inside a workspace, read
/// and controlled through the workspace agent over SSH. Another user's workspace answers 404; a
/// workspace that is not running 409 `workspace_not_running`; agent refusals keep their codes.
struct AppRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints.
    enum Endpoint: CaseIterable { case list, logs, install, start, stop, sysinfo }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .list: (.get, "workspaces/:name/apps")
        case .logs: (.get, "workspaces/:name/apps/:app/logs")
        case .install: (.post, "workspaces/:name/apps/:app/install")
        case .start: (.post, "workspaces/:name/apps/:app/start")
        case .stop: (.post, "workspaces/:name/apps/:app/stop")
        case .sysinfo: (.get, "workspaces/:name/sysinfo")
        }
    }

    /// The longest app name accepted (blueprint app names are DNS labels; the agent checks more).
    static let maxAppNameLength = 253

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workspace = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
        let agent = WorkspaceAgent(connector: dependencies.connector)
        switch endpoint {
        case .list:
            return try JSONBody.response(try await agent.document(workspace, ["apps"]))
        case .sysinfo:
            return try JSONBody.response(try await agent.document(workspace, ["sysinfo"]))
        case .install:
            let app = try Self.appName(context)
            let force = try WorkspaceRoutes.flag(request, "force")
            let entry = try await agent.document(workspace, ["app-install", app] + (force ? ["--force"] : []))
            return try JSONBody.response(entry, status: .accepted)
        case .start:
            return try JSONBody.response(try await agent.document(workspace, ["app-start", try Self.appName(context)]))
        case .stop:
            return try JSONBody.response(try await agent.document(workspace, ["app-stop", try Self.appName(context)]))
        case .logs:
            return try await logs(workspace, request, context, agent: agent)
        }
    }

    private func logs(
        _ workspace: String, _ request: Request, _ context: CubicleRequestContext, agent: WorkspaceAgent
    ) async throws -> Response {
        let app = try Self.appName(context)
        let query = request.query
        var options: [String] = []
        switch query["type"].map(String.init) ?? "app" {
        case "app": break
        case "install": options.append("--install")
        default: throw APIError.invalid("type must be app or install")
        }
        if let tail = query["tail"].map(String.init) {
            guard let lines = Int(tail), lines >= 0, lines <= 1_000_000 else {
                throw APIError.invalid("tail must be a number of lines from 0 to 1000000")
            }
            options += ["--tail", String(lines)]
        }
        let follow = try WorkspaceRoutes.flag(request, "follow")
        let check = ["app-logs", app, "--tail", "0"] + options.filter { $0 == "--install" }
        let arguments = ["app-logs", app] + options + (follow ? ["--follow", "--stdin-eof"] : [])
        let channel = try await agent.stream(workspace, check: check, arguments)

        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            if follow {
                // Ends when the client goes: the channel closes, the agent's stdin ends, it exits.
                do {
                    try await request.body.consumeWithCancellationOnInboundClose { _ in
                        try await Self.copy(channel, to: &writer)
                    }
                } catch is CancellationError {
                    return
                }
            } else {
                try await Self.copy(channel, to: &writer)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Copies the channel's stdout to the response with back-pressure both ways: the channel is
    /// read only as fast as the client takes the bytes, and closing it is the answer to cancellation.
    private static func copy(_ channel: SSHChannel, to writer: inout any ResponseBodyWriter) async throws {
        defer { channel.close() }
        try await withTaskCancellationHandler {
            for try await chunk in channel.output where chunk.stream == .stdout && !chunk.bytes.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk.bytes))
            }
        } onCancel: {
            channel.close()
        }
    }

    private static func appName(_ context: CubicleRequestContext) throws -> String {
        let app = try context.parameters.require("app")
        guard !app.isEmpty, app.utf8.count <= maxAppNameLength else { throw APIError.invalid("not a valid app name") }
        return app
    }
}
