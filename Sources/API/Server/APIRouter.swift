import Hummingbird

/// Builds the router of `/api/v1`: the error middleware around everything (so unknown routes
/// answer in the API's shape too), public routes, then the authenticated ones.
public enum APIRouter {
    /// The router for `dependencies`.
    public static func make(_ dependencies: APIDependencies) -> Router<CubicleRequestContext> {
        let router = Router(context: CubicleRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        let api = router.group("api/v1")
        HealthRoutes(dependencies: dependencies).register(on: api)
        let authenticated = api.group().add(middleware: BearerAuthMiddleware(store: dependencies.store, time: dependencies.time))
        WorkspaceRoutes(dependencies: dependencies).register(on: authenticated)
        JobRoutes(dependencies: dependencies).register(on: authenticated)
        UserRoutes(dependencies: dependencies).register(on: authenticated)
        TokenRoutes(dependencies: dependencies).register(on: authenticated)
        return router
    }
}
