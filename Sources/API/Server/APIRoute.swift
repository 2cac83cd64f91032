import HTTPTypes
import Hummingbird

/// One route the API registers: its method, its path under `/api/v1` (`:name` for parameters)
/// and whether it answers without authentication.
public struct APIRoute: Hashable, Sendable, CustomStringConvertible {
    /// The HTTP method.
    public let method: HTTPRequest.Method
    /// The path below the API root, e.g. `workspaces/:name`.
    public let path: String
    /// Whether the route answers without a bearer token.
    public let isPublic: Bool
    /// Whether the route sits at the server's root (`/metrics`) rather than under `/api/v1`.
    public let isRootLevel: Bool

    /// Creates a route.
    public init(_ method: HTTPRequest.Method, _ path: String, isPublic: Bool = false, isRootLevel: Bool = false) {
        self.method = method
        self.path = path
        self.isPublic = isPublic
        self.isRootLevel = isRootLevel
    }

    /// The absolute path, e.g. `/api/v1/workspaces/:name` (or `/metrics` at the root).
    public var fullPath: String { isRootLevel ? "/\(path)" : "/\(APIRouter.root)/\(path)" }

    /// `GET /api/v1/workspaces/:name`.
    public var description: String { "\(method.rawValue) \(fullPath)" }

    /// Whether `path` (a request's path) is this route's path, `:parameter` segments matching any one segment.
    func matches(path: Substring) -> Bool {
        let pattern = fullPath.split(separator: "/")
        let segments = path.split(separator: "/")
        guard pattern.count == segments.count else { return false }
        return zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }
}

/// A set of routes that registers exactly the routes it lists: every endpoint maps to one route
/// and one handler, so `APIRouter.routes` cannot drift from what the router serves.
protocol RouteSet: Sendable {
    /// The endpoints of the set.
    associatedtype Endpoint: Sendable
    /// Whether the set answers without authentication.
    static var isPublic: Bool { get }
    /// Whether the set's paths are at the server's root rather than under `/api/v1`.
    static var isRootLevel: Bool { get }
    /// Whether this server serves the set without authentication (a configured choice may
    /// waive it for a set that is not public by default).
    var servesPublicly: Bool { get }
    /// Every endpoint, in registration order.
    static var endpoints: [Endpoint] { get }
    /// The method and path of an endpoint.
    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String)
    /// Creates the set for a server.
    init(dependencies: APIDependencies)
    /// Answers a request to `endpoint`.
    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response
}

extension RouteSet {
    static var isPublic: Bool { false }
    static var isRootLevel: Bool { false }
    var servesPublicly: Bool { Self.isPublic }

    /// The routes this set registers.
    static var routes: [APIRoute] {
        endpoints.map { endpoint in
            let route = route(endpoint)
            return APIRoute(route.method, route.path, isPublic: isPublic, isRootLevel: isRootLevel)
        }
    }

    /// Registers every endpoint on `group`.
    func register(on group: RouterGroup<CubicleRequestContext>) {
        for endpoint in Self.endpoints {
            let route = Self.route(endpoint)
            let apiRoute = APIRoute(route.method, route.path, isPublic: Self.isPublic, isRootLevel: Self.isRootLevel)
            group.on(RouterPath(stringLiteral: route.path), method: route.method) { request, context in
                try AccessPolicy.authorize(apiRoute, context.caller)
                return try await self.handle(endpoint, request, context)
            }
        }
    }
}
