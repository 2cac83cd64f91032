import CubicleModel
import Foundation

/// The one error type of the KubeClient module: an apiserver failure (HTTP status plus the decoded
/// `Status`), a transport failure, or a configuration problem, each with a stable `code`.
public struct KubeError: CodedError {
    /// The stable code scripts and the API match on.
    public let code: ErrorCode
    /// A message for people; names files and fields for configuration problems, never secrets.
    public let message: String
    /// The HTTP status of the failed response, when there was a response.
    public let httpStatus: Int?
    /// The `Status` the apiserver returned, when it sent one.
    public let status: Status?
    /// The underlying error, when there is one.
    public let underlying: (any Error)?

    /// Creates an error.
    public init(code: ErrorCode, message: String, httpStatus: Int? = nil, status: Status? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.status = status
        self.underlying = underlying
    }

    /// The apiserver's CamelCase reason, e.g. `NotFound`.
    public var reason: String? { status?.reason }

    /// The effective HTTP status: the response's, or the code inside a watch `ERROR` status.
    public var effectiveStatus: Int? { httpStatus ?? status?.code }

    /// 404: the object or resource does not exist.
    public var isNotFound: Bool { effectiveStatus == 404 }
    /// 409 AlreadyExists: a create found the name taken.
    public var isAlreadyExists: Bool { effectiveStatus == 409 && reason == "AlreadyExists" }
    /// 409 Conflict: an update carried a stale resourceVersion (or a precondition failed).
    public var isConflict: Bool { effectiveStatus == 409 && reason != "AlreadyExists" }
    /// 410 Gone: a watch or continue token refers to a resourceVersion that has been compacted.
    public var isGone: Bool { effectiveStatus == 410 || reason == "Expired" || reason == "Gone" }
    /// 422 Invalid: the object failed validation.
    public var isInvalid: Bool { effectiveStatus == 422 }
    /// 401: the credentials were missing or rejected.
    public var isUnauthorized: Bool { effectiveStatus == 401 }
    /// 403: the credentials are valid but not allowed to do this.
    public var isForbidden: Bool { effectiveStatus == 403 }
    /// 429: the apiserver asked the client to slow down.
    public var isTooManyRequests: Bool { effectiveStatus == 429 }
    /// No HTTP response at all: the cluster could not be reached.
    public var isTransport: Bool { httpStatus == nil && status == nil && code == .clusterUnavailable }
}

extension KubeError {
    /// The error for an apiserver response with a failure status; `body` is decoded as a `Status`
    /// when it is one.
    static func response(httpStatus: Int, body: [UInt8], request: String) -> KubeError {
        let status = try? KubeCodec.decode(Status.self, from: body, context: "Status")
        let decoded = status?.kind == "Status" || status?.reason != nil || status?.message != nil ? status : nil
        return fromStatus(httpStatus: httpStatus, status: decoded, request: request, body: body)
    }

    /// The error for a `Status`, e.g. from a watch `ERROR` event.
    static func fromStatus(httpStatus: Int?, status: Status?, request: String, body: [UInt8] = []) -> KubeError {
        let effective = httpStatus ?? status?.code ?? 500
        let code = errorCode(httpStatus: effective, reason: status?.reason)
        var text = status?.message ?? ""
        if text.isEmpty {
            let snippet = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            text = snippet.isEmpty ? "HTTP \(effective)" : "HTTP \(effective): \(snippet)"
        }
        return KubeError(code: code, message: "\(request): \(text)", httpStatus: httpStatus, status: status)
    }

    /// Maps an HTTP status and reason to a stable code.
    static func errorCode(httpStatus: Int, reason: String?) -> ErrorCode {
        switch httpStatus {
        case 400, 422: .invalidRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: .gone
        case 413: .payloadTooLarge
        case 429: .tooManyRequests
        case 504: .timeout
        case 500...599: .clusterUnavailable
        default: .internalError
        }
    }

    /// A transfer that produced no HTTP response (refused, TLS failure, timeout, reset).
    static func transport(_ detail: String, url: String) -> KubeError {
        KubeError(code: .clusterUnavailable, message: "cannot reach the Kubernetes API at \(url): \(detail)")
    }

    /// A kubeconfig or in-cluster configuration problem, naming the file and the field.
    static func config(file: String, field: String? = nil, _ problem: String) -> KubeError {
        let location = field.map { "\(file): \($0)" } ?? file
        return KubeError(code: .internalError, message: "kubeconfig \(location): \(problem)")
    }

    /// A credential (exec plugin, token file) problem.
    static func credentials(_ problem: String, underlying: (any Error)? = nil) -> KubeError {
        KubeError(code: .unauthorized, message: problem, underlying: underlying)
    }

    /// A response body that could not be decoded.
    static func decoding(context: String, _ error: any Error) -> KubeError {
        KubeError(code: .internalError, message: "cannot decode \(context) from the Kubernetes API: \(describe(error))", underlying: error)
    }

    /// A value that could not be encoded for a request.
    static func encoding(context: String, _ error: any Error) -> KubeError {
        KubeError(code: .invalidRequest, message: "cannot encode \(context): \(describe(error))", underlying: error)
    }

    /// A request that cannot be made as asked.
    static func invalid(_ problem: String) -> KubeError {
        KubeError(code: .invalidRequest, message: problem)
    }

    /// A short description of a decoding error naming the coding path.
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "" : " at \(keys.hasPrefix(".") ? String(keys.dropFirst()) : keys)"
        }
        switch decoding {
        case .dataCorrupted(let context): return context.debugDescription + path(context)
        case .keyNotFound(let key, let context): return "missing \(key.stringValue)" + path(context)
        case .typeMismatch(_, let context): return context.debugDescription + path(context)
        case .valueNotFound(_, let context): return context.debugDescription + path(context)
        @unknown default: return "\(error)"
        }
    }
}
