import CubicleModel

/// Why a client call failed: the server's own answer (its HTTP status, `code` and `msg`), or a
/// local problem (no context configured, the server unreachable, a bad argument) with a code of
/// its own. `isFromServer` decides the CLI's exit code.
public struct ClientError: CodedError, Sendable {
    /// The server's `code`, or the client's: `no_context`, `unreachable`, `invalid_request`…
    public let code: ErrorCode
    /// What went wrong, for people.
    public let message: String
    /// The HTTP status the server answered with, when it answered.
    public let status: Int?

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// Whether the server answered with this error (rather than the client failing on its own).
    public var isFromServer: Bool { status != nil }

    /// No server or token could be found.
    public static func noContext(_ message: String) -> ClientError { ClientError(.noContext, message) }
    /// The server could not be reached.
    public static func unreachable(_ message: String) -> ClientError { ClientError(.unreachable, message) }
    /// The caller asked for something malformed.
    public static func invalid(_ message: String) -> ClientError { ClientError(.invalidRequest, message) }
    /// A local file or program failed (exit 1, not a usage error).
    public static func local(_ message: String) -> ClientError { ClientError(.localFailure, message) }
    /// The server answered in a way the client cannot read.
    public static func protocolError(_ message: String) -> ClientError { ClientError(.internalError, message) }
}

extension ErrorCode {
    /// No context is configured and none was given.
    public static let noContext = ErrorCode(rawValue: "no_context")
    /// A local file or program failed.
    public static let localFailure = ErrorCode(rawValue: "local_failure")
    /// The server did not answer.
    public static let unreachable = ErrorCode(rawValue: "unreachable")
}
