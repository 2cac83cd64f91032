import CubicleModel
import Hummingbird
import Logging

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
        case .healthcheck: try await check(context.logger)
        }
    }

    /// A failing part reads as one short, stable word (what a probe or an alert matches on);
    /// the underlying error goes to the log, not to an unauthenticated caller.
    static func reason(_ error: any Error) -> String {
        switch (error as? any CodedError)?.code {
        case .clusterUnavailable?: "unreachable"
        case .unauthorized?: "unauthorized"
        case .forbidden?: "forbidden"
        case .timeout?: "timeout"
        case .tooManyRequests?: "throttled"
        default: "error"
        }
    }

    private func check(_ logger: Logger) async throws -> Response {
        var document: JSONValue = ["status": "ok", "version": .string(CubicleVersion.current), "kubernetes": "ok", "store": "ok"]
        document["blueprints"] = .string(dependencies.blueprintStatus().description)
        var failing: [String] = []
        do {
            try await dependencies.clusterCheck()
        } catch {
            logger.warning("healthcheck: the Kubernetes API does not answer", metadata: ["error": "\(error)"])
            document["kubernetes"] = .string(Self.reason(error))
            failing.append("kubernetes (\(Self.reason(error)))")
        }
        do {
            try await dependencies.store.ping()
        } catch {
            logger.warning("healthcheck: the store does not answer", metadata: ["error": "\(error)"])
            document["store"] = .string(Self.reason(error))
            failing.append("store (\(Self.reason(error)))")
        }
        if !failing.isEmpty {
            document["status"] = .int(503)
            document["msg"] = .string("not healthy: \(failing.joined(separator: ", "))")
            document["code"] = .string(
                document["kubernetes"] == "ok" ? ErrorCode.internalError.rawValue : ErrorCode.clusterUnavailable.rawValue)
        }
        return try JSONBody.response(document, status: failing.isEmpty ? .ok : .serviceUnavailable)
    }
}
