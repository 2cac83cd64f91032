import CubicleModel

/// Everything that can go wrong in the pod runtime; the kubelet turns these into pod statuses.
public struct RuntimeError: CodedError {
    /// What kind of failure this is, stable for code to switch on.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case sandboxUnavailable = "sandbox_unavailable"
            case invalidSpec = "invalid_spec"
            case setupFailed = "sandbox_setup_failed"
            case startFailed = "container_start_failed"
            case notRunning = "sandbox_not_running"
            case alreadyExists = "sandbox_exists"
            case io = "runtime_io"
        }

        private let base: Base

        /// This host cannot build sandboxes at all (no privileges, no user namespaces, missing tools).
        public static let sandboxUnavailable = Kind(base: .sandboxUnavailable)
        /// The spec is unusable (bad path, bad name, bad address).
        public static let invalidSpec = Kind(base: .invalidSpec)
        /// Building this sandbox failed (a mount, the infra process).
        public static let setupFailed = Kind(base: .setupFailed)
        /// A container could not be started.
        public static let startFailed = Kind(base: .startFailed)
        /// The sandbox is stopped or its infra process died.
        public static let notRunning = Kind(base: .notRunning)
        /// A sandbox for this pod uid is already running.
        public static let alreadyExists = Kind(base: .alreadyExists)
        /// Reading or writing the runtime's state failed.
        public static let io = Kind(base: .io)

        /// The stable snake_case name.
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public let kind: Kind
    /// A message for the pod's status; says what to do when something can be done.
    public let message: String
    /// The underlying error, when there is one.
    public let underlying: (any Error)?

    /// The code the API would map: bad specs are bad requests, the rest are internal.
    public var code: ErrorCode {
        switch kind {
        case .invalidSpec: .invalidRequest
        case .alreadyExists: .alreadyExists
        case .notRunning: .conflict
        case .sandboxUnavailable: ErrorCode(rawValue: "sandbox_unavailable")
        default: .internalError
        }
    }

    init(_ kind: Kind, _ message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    /// "sandbox unavailable: <reason>".
    static func sandboxUnavailable(_ reason: String) -> RuntimeError {
        RuntimeError(.sandboxUnavailable, "sandbox unavailable: \(reason)")
    }

    /// A spec the runtime refuses.
    static func invalidSpec(_ message: String) -> RuntimeError {
        RuntimeError(.invalidSpec, message)
    }
}
