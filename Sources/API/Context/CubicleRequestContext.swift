import Hummingbird
import Logging
import NIOCore

/// The per-request context: Hummingbird's core plus who is calling, once authenticated.
public struct CubicleRequestContext: RequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil before the auth middleware ran (public routes).
    public var caller: Caller?

    /// Creates a context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// The caller, or 401 when the route was reached without authentication.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized() }
        return caller
    }
}
