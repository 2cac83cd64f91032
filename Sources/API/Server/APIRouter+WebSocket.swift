import Hummingbird
import HummingbirdWebSocket

extension APIRouter {
    /// The router that decides WebSocket upgrades: `/workspaces/:name/interactive` behind the
    /// same authentication as the API. A refused upgrade falls through to the HTTP router, whose
    /// `ShellRoutes` answers the same request with the JSON error.
    public static func makeWebSocket(_ dependencies: APIDependencies) -> Router<CubicleRequestContext> {
        let router = Router(context: CubicleRequestContext.self)
        router.add(middleware: WebSocketTokenMiddleware())
        let gateway = ShellGateway(dependencies: dependencies)
        router.group(RouterPath(stringLiteral: root))
            .add(middleware: BearerAuthMiddleware(store: dependencies.store, time: dependencies.time))
            .ws(
                RouterPath(stringLiteral: ShellRoutes.route(.interactive).path),
                shouldUpgrade: { request, context in
                    let plan = try gateway.plan(request, context)
                    context.upgrade.store(plan)
                    return .upgrade(ShellGateway.upgradeHeaders(plan))
                },
                onUpgrade: { inbound, outbound, context in
                    guard let plan = context.requestContext.upgrade.take() else { return }
                    await gateway.run(plan, inbound: inbound, outbound: outbound, logger: context.logger)
                })
        return router
    }
}
