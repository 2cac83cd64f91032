import Hummingbird

/// Builds the router of `/api/v1`: the error middleware around everything (so unknown routes
/// answer in the API's shape too), public routes, then the authenticated ones.
public enum APIRouter {
    /// The path prefix of every route, without slashes.
    public static let root = "api/v1"

    /// The route sets, in registration order; the single source of what the router serves.
    static let routeSets: [any RouteSet.Type] = [
        HealthRoutes.self, WorkspaceRoutes.self, JobRoutes.self, UserRoutes.self, TokenRoutes.self,
        FileRoutes.self,
        AppRoutes.self,
        ShellRoutes.self, ExecRoutes.self,
        AuthRoutes.self, InternalRoutes.self, CredentialRoutes.self,
        MetricsRoutes.self, ConatRoutes.self,
    ]

    /// Every route `make` registers, in registration order.
    public static var routes: [APIRoute] { routeSets.flatMap { $0.routes } }

    /// The router for `dependencies`.
    public static func make(_ dependencies: APIDependencies) -> Router<CubicleRequestContext> {
        let router = Router(context: CubicleRequestContext.self)
        // Outermost, so it sees the status of every answer, errors and unknown routes included.
        router.add(middleware: HTTPMetricsMiddleware(metrics: dependencies.metrics))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: WebSocketTokenMiddleware())
        let api = router.group(RouterPath(stringLiteral: root))
        let authenticator = Authenticator(
            store: dependencies.store, time: dependencies.time, keyring: dependencies.auth.keyring, settings: dependencies.auth.settings)
        let authenticated = api.group().add(middleware: authenticator)
        let rootLevel = router.group()
        let rootAuthenticated = router.group().add(middleware: authenticator)
        for set in routeSets {
            let routes = set.init(dependencies: dependencies)
            let group = set.isRootLevel ? (routes.servesPublicly ? rootLevel : rootAuthenticated) : (routes.servesPublicly ? api : authenticated)
            routes.register(on: group)
        }
        return router
    }
}
