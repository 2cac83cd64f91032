import CubicleModel

/// The failures the API server returns, with the exact messages `kubectl` and client-go print.
extension LocalClusterError {
    /// 404: `pods "nope" not found`.
    static func notFound(_ resource: ResourceType, _ name: String) -> LocalClusterError {
        notFound(plural: resource.plural, group: resource.group, name: name)
    }

    /// 404 for a resource named by plural and group.
    static func notFound(plural: String, group: String, name: String) -> LocalClusterError {
        let qualified = group.isEmpty ? plural : "\(plural).\(group)"
        return LocalClusterError(
            code: .notFound, httpStatus: 404, reason: "NotFound",
            message: "\(qualified) \"\(name)\" not found",
            details: StatusDetails(name: name, group: group, kind: plural)
        )
    }

    /// 404 for a path the server does not serve.
    static let unknownPath = LocalClusterError(
        code: .notFound, httpStatus: 404, reason: "NotFound",
        message: "the server could not find the requested resource", details: StatusDetails()
    )

    /// 409: `pods "x" already exists`.
    static func alreadyExists(_ resource: ResourceType, _ name: String) -> LocalClusterError {
        LocalClusterError(
            code: .alreadyExists, httpStatus: 409, reason: "AlreadyExists",
            message: "\(resource.qualifiedPlural) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: resource.group, kind: resource.plural)
        )
    }

    /// 409: the stale-resourceVersion conflict.
    static func conflict(_ resource: ResourceType, _ name: String) -> LocalClusterError {
        conflict(
            resource, name,
            reason: "the object has been modified; please apply your changes to the latest version and try again"
        )
    }

    /// 409 with a specific reason after `Operation cannot be fulfilled on ...`.
    static func conflict(_ resource: ResourceType, _ name: String, reason: String) -> LocalClusterError {
        LocalClusterError(
            code: .conflict, httpStatus: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": \(reason)",
            details: StatusDetails(name: name, group: resource.group, kind: resource.plural)
        )
    }

    /// 422: `Pod "x" is invalid: metadata.name: Invalid value: ...`.
    static func invalid(_ resource: ResourceType, _ name: String, _ errors: [FieldError]) -> LocalClusterError {
        let rendered = errors.map(\.description)
        let summary = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        return LocalClusterError(
            code: .invalidRequest, httpStatus: 422, reason: "Invalid",
            message: "\(resource.kind) \"\(name)\" is invalid: \(summary)",
            details: StatusDetails(
                name: name, group: resource.group, kind: resource.kind,
                causes: errors.map { StatusDetails.Cause(reason: $0.type.reason, message: $0.causeMessage, field: $0.field) }
            )
        )
    }

    /// 400 with a message.
    static func badRequest(_ message: String) -> LocalClusterError {
        LocalClusterError(code: .invalidRequest, httpStatus: 400, reason: "BadRequest", message: message)
    }

    /// 405 for a verb the resource does not support.
    static let methodNotAllowed = LocalClusterError(
        code: .invalidRequest, httpStatus: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource", details: StatusDetails()
    )

    /// 410 for a resourceVersion that has been compacted away.
    static func expired(requested: Int64, oldest: Int64) -> LocalClusterError {
        LocalClusterError(
            code: .gone, httpStatus: 410, reason: "Expired",
            message: "too old resource version: \(requested) (\(oldest))"
        )
    }

    /// 410 for a continue token older than the history window.
    static let continueExpired = LocalClusterError(
        code: .gone, httpStatus: 410, reason: "Expired",
        message: "The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter."
    )

    /// 401 for a request without valid credentials.
    static let unauthorized = LocalClusterError(
        code: .unauthorized, httpStatus: 401, reason: "Unauthorized", message: "Unauthorized"
    )

    /// 403 with a message.
    static func forbidden(_ message: String) -> LocalClusterError {
        LocalClusterError(code: .forbidden, httpStatus: 403, reason: "Forbidden", message: message)
    }

    /// 413 for a body over the limit.
    static func tooLarge(limit: Int) -> LocalClusterError {
        LocalClusterError(
            code: .payloadTooLarge, httpStatus: 413, reason: "RequestEntityTooLarge",
            message: "the request body is larger than \(limit) bytes"
        )
    }

    /// 415 for a body in a format the endpoint does not take.
    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> LocalClusterError {
        LocalClusterError(
            code: .invalidRequest, httpStatus: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", ")
        )
    }

    /// 406 for an `Accept` header the server cannot satisfy.
    static func notAcceptable(_ accepted: String) -> LocalClusterError {
        LocalClusterError(
            code: .invalidRequest, httpStatus: 406, reason: "NotAcceptable",
            message: "only the following media types are accepted: \(accepted)"
        )
    }

    /// 500 with a message.
    static func internalError(_ message: String, underlying: (any Error)? = nil) -> LocalClusterError {
        LocalClusterError(
            code: .internalError, httpStatus: 500, reason: "InternalError",
            message: "Internal error occurred: \(message)", details: StatusDetails(causes: [
                StatusDetails.Cause(reason: "UnexpectedServerResponse", message: message, field: "")
            ]), underlying: underlying
        )
    }

    /// 429 asking the client to come back after `retryAfter` seconds.
    static func tooManyRequests(retryAfter: Int) -> LocalClusterError {
        LocalClusterError(
            code: .tooManyRequests, httpStatus: 429, reason: "TooManyRequests",
            message: "the server has received too many requests and has asked us to try again later",
            details: StatusDetails(retryAfterSeconds: retryAfter)
        )
    }

    /// 500 injected by a fault rule.
    static func injected(status: Int, retryAfter: Int?) -> LocalClusterError {
        if status == 429 { return tooManyRequests(retryAfter: retryAfter ?? 1) }
        let reason: String
        let code: ErrorCode
        switch status {
        case 503: (reason, code) = ("ServiceUnavailable", .clusterUnavailable)
        case 504: (reason, code) = ("Timeout", .timeout)
        default: (reason, code) = ("InternalError", .internalError)
        }
        return LocalClusterError(
            code: code, httpStatus: status, reason: reason,
            message: "injected fault: the server failed this request on purpose",
            details: retryAfter.map { StatusDetails(retryAfterSeconds: $0) }
        )
    }

    /// A failure of the cluster itself (files, keys, sockets), not of a request.
    static func setup(_ message: String, underlying: (any Error)? = nil) -> LocalClusterError {
        LocalClusterError(
            code: .internalError, httpStatus: 500, reason: "InternalError", message: message, underlying: underlying
        )
    }
}
