import Hummingbird
import Logging
import NIOCore

/// The per-request context: Hummingbird's core plus who is calling, once authenticated.
public struct CubicleRequestContext: RequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil before the auth middleware ran (public routes).
    public var caller: Caller?
    /// Carries the shell plan from the upgrade check to the WebSocket handler.
    let upgrade: UpgradeHandoff
    /// The client's IP address (empty when unknown).
    let remoteIP: String

    /// Creates a context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        upgrade = UpgradeHandoff()
        remoteIP = source.channel.remoteAddress?.ipAddress ?? ""
    }

    /// The caller, or 401 when the route was reached without authentication.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized() }
        return caller
    }
}
