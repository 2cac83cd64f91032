import CubicleModel

/// The one error type of the SSH layer: a stable `code` for the API, a `reason` to match on, a
/// message naming the host, user or path involved, and the underlying error when there is one.
public struct SSHError: CodedError {
    /// What went wrong, finer than `code`; new reasons can be added without breaking callers.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The short stable name, e.g. `host_key_mismatch` (fit for metric labels).
        public var description: String { name }

        /// The TCP connection was actively refused.
        public static let connectionRefused = Reason("connection_refused")
        /// The TCP connect or the SSH handshake did not finish in time.
        public static let connectTimeout = Reason("connect_timeout")
        /// The host could not be resolved or reached (no route, unreachable network).
        public static let unreachable = Reason("unreachable")
        /// The server presented a host key other than the pinned one.
        public static let hostKeyMismatch = Reason("host_key_mismatch")
        /// The server refused the client key for the user.
        public static let authenticationFailed = Reason("authentication_failed")
        /// The SSH protocol failed (key exchange, malformed packets, disconnect by the server).
        public static let protocolError = Reason("protocol_error")
        /// An established session stopped working (peer gone, keepalives unanswered).
        public static let sessionDied = Reason("session_died")
        /// The session was closed by us (explicitly, idle tidying or shutdown).
        public static let sessionClosed = Reason("session_closed")
        /// The server refused to open a channel or to start its program.
        public static let channelOpenFailed = Reason("channel_open_failed")
        /// The channel was closed while an operation on it was pending.
        public static let channelClosed = Reason("channel_closed")
        /// A key could not be generated, parsed or used.
        public static let invalidKey = Reason("invalid_key")
        /// An argument was not acceptable (empty command, malformed path).
        public static let invalidArgument = Reason("invalid_argument")
        /// A path does not exist.
        public static let notFound = Reason("not_found")
        /// The server denied access to a path.
        public static let permissionDenied = Reason("permission_denied")
        /// The path already exists.
        public static let alreadyExists = Reason("already_exists")
        /// An SFTP operation failed for another reason.
        public static let sftpFailure = Reason("sftp_failure")
        /// A command produced more output than allowed.
        public static let outputTooLarge = Reason("output_too_large")
        /// An operation did not finish within its deadline.
        public static let timedOut = Reason("timed_out")
        /// The reactor or pool has been shut down.
        public static let shutDown = Reason("shut_down")
    }

    /// The stable code the API maps to HTTP.
    public let code: ErrorCode
    /// The finer reason.
    public let reason: Reason
    /// A message for people; never contains key material.
    public let message: String
    /// The error this one wraps, if any.
    public let underlying: (any Error)?

    /// Creates an error; prefer the static constructors.
    public init(code: ErrorCode, reason: Reason, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.underlying = underlying
    }
}

extension SSHError {
    static func connectionRefused(_ endpoint: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .connectionRefused,
                 message: "connection to \(endpoint) refused: no SSH server is listening there")
    }

    static func connectTimeout(_ endpoint: String, after seconds: Double, stage: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .connectTimeout,
                 message: "\(stage) with \(endpoint) did not finish within \(formatSeconds(seconds))")
    }

    static func unreachable(_ endpoint: String, _ detail: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .unreachable, message: "cannot reach \(endpoint): \(detail)")
    }

    static func hostKeyMismatch(_ endpoint: String, expected: String, actual: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .hostKeyMismatch,
                 message: "host key mismatch for \(endpoint): expected \(expected), "
                     + "server presented \(actual); refusing to connect")
    }

    static func authenticationFailed(_ endpoint: String, user: String, detail: String? = nil) -> SSHError {
        let suffix = detail.map { " (\($0))" } ?? ""
        return SSHError(code: .sshUnavailable, reason: .authenticationFailed,
                        message: "\(endpoint) refused the client key for user '\(user)'\(suffix)")
    }

    static func protocolError(_ endpoint: String, _ detail: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .protocolError, message: "SSH with \(endpoint) failed: \(detail)")
    }

    static func sessionDied(_ endpoint: String, _ detail: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .sessionDied, message: "SSH session to \(endpoint) died: \(detail)")
    }

    static func sessionClosed(_ endpoint: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .sessionClosed, message: "SSH session to \(endpoint) was closed")
    }

    static func channelOpenFailed(_ endpoint: String, _ detail: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .channelOpenFailed,
                 message: "could not open a channel on \(endpoint): \(detail)")
    }

    static func channelClosed(_ detail: String) -> SSHError {
        SSHError(code: .gone, reason: .channelClosed, message: "channel closed: \(detail)")
    }

    static func invalidKey(_ detail: String) -> SSHError {
        SSHError(code: .invalidRequest, reason: .invalidKey, message: detail)
    }

    static func invalidArgument(_ detail: String) -> SSHError {
        SSHError(code: .invalidRequest, reason: .invalidArgument, message: detail)
    }

    static func outputTooLarge(_ stream: String, limit: Int) -> SSHError {
        SSHError(code: .payloadTooLarge, reason: .outputTooLarge,
                 message: "command wrote more than \(limit) bytes to \(stream)")
    }

    static func timedOut(_ what: String, after seconds: Double) -> SSHError {
        SSHError(code: .timeout, reason: .timedOut, message: "\(what) did not finish within \(formatSeconds(seconds))")
    }

    static func shutDown(_ what: String) -> SSHError {
        SSHError(code: .sshUnavailable, reason: .shutDown, message: "\(what) has been shut down")
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

extension SSHError {
    /// The same error with another message.
    func withMessage(_ message: String) -> SSHError {
        SSHError(code: code, reason: reason, message: message, underlying: underlying)
    }
}
