import Hummingbird
import Logging

/// Logs every API request at debug level: method, path without the query (a WebSocket's
/// `?token=` or a login's `?state=` never reach the log), status and duration. Headers and bodies
/// are never logged, so no bearer token, cookie or credential secret can appear.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        if context.logger.logLevel <= .debug {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.debug(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path.prefix(512))",
                    "status": "\(response.status.code)", "ms": "\(Int(milliseconds))",
                ])
        }
        return response
    }
}
