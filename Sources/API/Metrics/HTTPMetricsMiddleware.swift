import CubicleMetrics
import HTTPTypes
import Hummingbird

/// Counts every answer by method and status code and times it by route pattern. Labels never
/// carry the raw path or an arbitrary method (clients choose those: unbounded series).
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = CubicleRequestContext
    let metrics: APIMetrics

    /// The methods that get their own label value; anything else is `other`.
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let method = Self.knownMethods.contains(request.method) ? request.method.rawValue : "other"
        metrics.requests.labels(method, String(status)).increment()
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.requestDurations.labels(method, route).observe(seconds)
    }
}
