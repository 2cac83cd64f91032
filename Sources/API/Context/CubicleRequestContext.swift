import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The per-request context: Hummingbird's core plus who is calling, once authenticated.
public struct CubicleRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil before the auth middleware ran (public routes).
    public var caller: Caller?
    /// Where a WebSocket upgrade leaves its handler.
    public let webSocket: WebSocketHandlerReference<CubicleRequestContext>
    /// Carries the shell plan from the upgrade check to the WebSocket handler.
    let upgrade: UpgradeHandoff
    /// The client's IP address (empty when unknown).
    let remoteIP: String

    /// Creates a context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        webSocket = WebSocketHandlerReference()
        upgrade = UpgradeHandoff()
        remoteIP = source.channel.remoteAddress?.ipAddress ?? ""
    }

    /// The caller, or 401 when the route was reached without authentication.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized() }
        return caller
    }
}
