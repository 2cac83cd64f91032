import Hummingbird

/// Browsers cannot set headers on a WebSocket, so they send the bearer token as the subprotocol
/// `base64url.bearer.authorization.k8s.io.<token>`. This turns it into an `Authorization`
/// header (when there is none) so the one authentication path handles it; the token is never
/// echoed back because subprotocol negotiation ignores it.
struct WebSocketTokenMiddleware: RouterMiddleware {
    typealias Context = CubicleRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == nil,
            let token = ExecSubprotocol.offer(from: request.headers[values: .secWebSocketProtocol]).token
        else { return try await next(request, context) }
        var head = request.head
        head.headerFields[.authorization] = "Bearer \(token)"
        return try await next(Request(head: head, body: request.body), context)
    }
}
