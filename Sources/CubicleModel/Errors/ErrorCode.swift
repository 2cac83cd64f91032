/// A stable, snake_case error code that scripts match on; every module error carries one and the
/// API maps it to an HTTP status.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The wire form, e.g. `not_found`.
    public let rawValue: String

    /// Wraps a wire form.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The wire form.
    public var description: String { rawValue }

    /// No or invalid credentials.
    public static let unauthorized = ErrorCode(rawValue: "unauthorized")
    /// Authenticated but not allowed.
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// The thing does not exist (or the caller may not know it does).
    public static let notFound = ErrorCode(rawValue: "not_found")
    /// The thing already exists.
    public static let alreadyExists = ErrorCode(rawValue: "already_exists")
    /// A concurrent change won; retry with fresh state.
    public static let conflict = ErrorCode(rawValue: "conflict")
    /// The request is malformed.
    public static let invalidRequest = ErrorCode(rawValue: "invalid_request")
    /// A blueprint fails validation.
    public static let invalidBlueprint = ErrorCode(rawValue: "invalid_blueprint")
    /// The body is larger than allowed.
    public static let payloadTooLarge = ErrorCode(rawValue: "payload_too_large")
    /// A requested byte range cannot be served.
    public static let rangeNotSatisfiable = ErrorCode(rawValue: "range_not_satisfiable")
    /// The workspace must be running for this.
    public static let workspaceNotRunning = ErrorCode(rawValue: "workspace_not_running")
    /// The Kubernetes API cannot be reached.
    public static let clusterUnavailable = ErrorCode(rawValue: "cluster_unavailable")
    /// The workspace's SSH server cannot be reached or refused us.
    public static let sshUnavailable = ErrorCode(rawValue: "ssh_unavailable")
    /// A session or upload has ended and cannot be resumed.
    public static let gone = ErrorCode(rawValue: "gone")
    /// Too many requests; back off.
    public static let tooManyRequests = ErrorCode(rawValue: "too_many_requests")
    /// The operation did not finish in time.
    public static let timeout = ErrorCode(rawValue: "timeout")
    /// Anything unexpected.
    public static let internalError = ErrorCode(rawValue: "internal")
}

/// An error that carries a stable code and a message fit for the person who caused it.
public protocol CodedError: Error, CustomStringConvertible {
    /// The stable code.
    var code: ErrorCode { get }
    /// A message for people; never contains secrets.
    var message: String { get }
}

extension CodedError {
    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
