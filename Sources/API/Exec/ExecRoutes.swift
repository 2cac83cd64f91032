import CubicleModel
import Hummingbird

/// `POST /workspaces/:name/exec`: one command run to its end in the workspace, as its user, over
/// the pooled SSH session — stdout, stderr and the exit code in one answer (docs/exec.md).
struct ExecRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints.
    enum Endpoint: CaseIterable { case run }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .run: (.post, "workspaces/:name/exec")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workspace = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
        let body = try await JSONBody.decode(ExecRequest.Body.self, from: request)
        let checked = try ExecRequest(body, settings: dependencies.exec)
        let result = try await ExecRunner.run(checked, in: workspace, dependencies: dependencies)
        return try JSONBody.response(result)
    }
}
