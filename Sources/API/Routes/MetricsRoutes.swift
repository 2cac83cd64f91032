import CubicleMetrics
import Hummingbird
import NIOCore

/// `GET /metrics` (at the root, where Prometheus looks): the text exposition of every metric.
/// By default it needs an admin's credential — best a PAT narrowed to `metrics:read`, which can
/// do nothing else; with `metrics.public` it answers anyone (in-cluster scrapes behind a
/// NetworkPolicy).
struct MetricsRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The one endpoint.
    enum Endpoint: CaseIterable { case scrape }

    static let isRootLevel = true
    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .scrape: (.get, "metrics")
        }
    }

    var servesPublicly: Bool { dependencies.metrics.isPublic }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        if !dependencies.metrics.isPublic {
            // The scope check (`metrics:read`) already ran; the figures are server-wide, so the
            // user behind the credential must be an admin too.
            guard try context.requireCaller().user.roles.contains("admin") else {
                throw APIError.forbidden("metrics need an admin's token (ideally one with scopes [\"metrics:read\"])")
            }
        }
        let text = await dependencies.metrics.registry.renderDetached()
        var headers = HTTPFields()
        headers[.contentType] = ExpositionWriter.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
