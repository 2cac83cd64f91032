import CubicleModel

/// The one error type of the embedded cluster: a Kubernetes `Status` failure (HTTP code, reason,
/// details) that also carries Cubicle's stable `ErrorCode`, so Swift callers and HTTP clients see
/// the same thing.
public struct LocalClusterError: CodedError {
    /// The stable Cubicle code.
    public let code: ErrorCode
    /// The Kubernetes-style message, e.g. `pods "nope" not found`.
    public let message: String
    /// The HTTP status code of the `Status` body.
    public let httpStatus: Int
    /// The Kubernetes `StatusReason` (`NotFound`, `Conflict`, `Invalid`, ...).
    public let reason: String
    /// The `details` of the `Status`, when the failure is about one object.
    public let details: StatusDetails?
    /// The error underneath, when there is one.
    public let underlying: (any Error)?

    /// Creates an error from its parts.
    public init(
        code: ErrorCode,
        httpStatus: Int,
        reason: String,
        message: String,
        details: StatusDetails? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.httpStatus = httpStatus
        self.reason = reason
        self.message = message
        self.details = details
        self.underlying = underlying
    }
}

/// The `details` member of a Kubernetes `Status`.
public struct StatusDetails: Sendable, Hashable {
    /// One field-level cause of an `Invalid` or `Conflict` failure.
    public struct Cause: Sendable, Hashable {
        /// The machine-readable cause, e.g. `FieldValueInvalid`.
        public var reason: String
        /// The human message of this cause.
        public var message: String
        /// The field path, e.g. `metadata.name`.
        public var field: String

        /// Creates a cause.
        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The object's name.
    public var name: String?
    /// The API group (empty for core).
    public var group: String?
    /// The resource or kind the failure is about.
    public var kind: String?
    /// The object's uid, when known.
    public var uid: String?
    /// Field-level causes.
    public var causes: [Cause]
    /// Seconds the client should wait before retrying.
    public var retryAfterSeconds: Int?

    /// Creates details.
    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        causes: [Cause] = [],
        retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

extension LocalClusterError {
    /// The Kubernetes `Status` object for this failure.
    public var status: JSONValue {
        var body: [String: JSONValue] = [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": [:],
            "status": "Failure",
            "message": .string(message),
            "reason": .string(reason),
            "code": .int(Int64(httpStatus)),
        ]
        if let details {
            var members: [String: JSONValue] = [:]
            if let name = details.name { members["name"] = .string(name) }
            if let group = details.group { members["group"] = .string(group) }
            if let kind = details.kind { members["kind"] = .string(kind) }
            if let uid = details.uid { members["uid"] = .string(uid) }
            if !details.causes.isEmpty {
                members["causes"] = .array(
                    details.causes.map { cause in
                        var entry: [String: JSONValue] = ["reason": .string(cause.reason), "message": .string(cause.message)]
                        if !cause.field.isEmpty { entry["field"] = .string(cause.field) }
                        return .object(entry)
                    }
                )
            }
            if let retry = details.retryAfterSeconds { members["retryAfterSeconds"] = .int(Int64(retry)) }
            body["details"] = .object(members)
        }
        return .object(body)
    }
}
