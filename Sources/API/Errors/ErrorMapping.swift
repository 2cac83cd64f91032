import CubicleModel
import Foundation
import Hummingbird
import NIOHTTP1

/// Turns whatever a handler threw into the API's error shape: coded module errors keep their
/// code, Hummingbird's own errors (unknown route, body too large) get theirs, and anything
/// unexpected is a 500 `internal` whose details go to the log, not the caller.
enum ErrorMapping {
    /// The HTTP status a module error code answers with.
    static func status(for code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .alreadyExists, .conflict: .conflict
        case .invalidRequest: .badRequest
        case .invalidBlueprint: .unprocessableContent
        case .payloadTooLarge: .contentTooLarge
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .workspaceNotRunning: .conflict
        case .clusterUnavailable, .sshUnavailable: .serviceUnavailable
        case .gone: .gone
        case .tooManyRequests: .tooManyRequests
        case .timeout: .gatewayTimeout
        default: .internalServerError
        }
    }

    /// The API error for `error`; `unexpected` is true when it should be logged as a bug.
    static func apiError(for error: any Error) -> (error: APIError, unexpected: Bool) {
        switch error {
        case let error as APIError:
            return (error, false)
        case let error as any CodedError:
            if error.code == .internalError { return (APIError(.internalServerError, .internalError, "internal error"), true) }
            return (APIError(status(for: error.code), error.code, error.message), false)
        case let error as HTTPError:
            return (fromHTTP(error), false)
        case let error as any HTTPResponseError:
            return (APIError(error.status, code(for: error.status), error.status.reasonPhrase), false)
        case is CancellationError:
            // The server is stopping or the client went away mid-request: not a bug, and nobody
            // is likely to read the answer.
            return (APIError(.internalServerError, .internalError, "the request was cancelled: the server is stopping or the client went away"), false)
        case let error as HTTPParserError:
            // The client sent bytes that are not HTTP, or went away in the middle of its body.
            return (APIError.invalid("the request could not be read: \(error)"), false)
        case let error as DecodingError:
            return (APIError.invalid("the request body is not the JSON this endpoint expects: \(JSONBody.describe(error))"), false)
        default:
            return (APIError(.internalServerError, .internalError, "internal error"), true)
        }
    }

    private static func fromHTTP(_ error: HTTPError) -> APIError {
        let message: String
        switch error.status {
        case .notFound: message = error.body ?? "no such route"
        case .contentTooLarge: message = error.body ?? "the request body is too large"
        default: message = error.body ?? error.status.reasonPhrase
        }
        return APIError(error.status, code(for: error.status), message)
    }

    private static func code(for status: HTTPResponse.Status) -> ErrorCode {
        switch status {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .methodNotAllowed: .notFound
        case .conflict: .conflict
        case .contentTooLarge: .payloadTooLarge
        case .tooManyRequests: .tooManyRequests
        case .serviceUnavailable: .clusterUnavailable
        default: status.code < 500 ? .invalidRequest : .internalError
        }
    }
}

/// Answers every error in the API shape (including 404 for unknown routes).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var (apiError, unexpected) = ErrorMapping.apiError(for: error)
            // No route: a known path asked with another method is 405 with the methods it takes.
            if let http = error as? HTTPError, http.status == .notFound {
                let allowed = APIRouter.routes.filter { $0.matches(path: request.uri.path[...]) }.map(\.method.rawValue)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    apiError = APIError(.methodNotAllowed, .notFound, "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: " or "))")
                    var response = try apiError.response(from: request, context: context)
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
            }
            if unexpected {
                context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            } else if apiError.status.code >= 500 || error is HTTPParserError {
                context.logger.debug("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
