import CubicleModel
import Hummingbird

/// `GET /healthcheck`: the version, whether the cluster and the store answer, and the blueprint
/// set's load status (a broken blueprint file does not make Cubicle unhealthy: the last good set
/// is still served, so it is reported, not failed on).
struct HealthRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The one endpoint.
    enum Endpoint: CaseIterable { case healthcheck }

    static let isPublic = true
    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .healthcheck: (.get, "healthcheck")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .healthcheck: try await check()
        }
    }

    private func check() async throws -> Response {
        var document: JSONValue = ["status": "ok", "version": .string(CubicleVersion.current), "kubernetes": "ok", "store": "ok"]
        document["blueprints"] = .string(dependencies.blueprintStatus().description)
        var failing: [String] = []
        do {
            try await dependencies.clusterCheck()
        } catch {
            document["kubernetes"] = .string("unavailable: \(error)")
            failing.append("kubernetes")
        }
        do {
            try await dependencies.store.ping()
        } catch {
            document["store"] = .string("unavailable: \(error)")
            failing.append("store")
        }
        if !failing.isEmpty {
            document["status"] = .int(503)
            document["msg"] = .string("not healthy: \(failing.joined(separator: ", "))")
            document["code"] = .string(failing.contains("kubernetes") ? ErrorCode.clusterUnavailable.rawValue : ErrorCode.internalError.rawValue)
        }
        return try JSONBody.response(document, status: failing.isEmpty ? .ok : .serviceUnavailable)
    }
}
