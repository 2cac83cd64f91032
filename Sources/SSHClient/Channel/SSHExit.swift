/// How the remote program ended, as reported by the server before it closed the channel.
public struct SSHExit: Sendable, Hashable, CustomStringConvertible {
    /// The exit code, when the program exited normally.
    public let code: Int32?
    /// The signal name without `SIG` (e.g. `TERM`), when it was killed by a signal.
    public let signal: String?
    /// True when the killed program dumped core.
    public let coreDumped: Bool
    /// The server's message accompanying the signal, if any.
    public let errorMessage: String?

    /// Creates an exit record.
    public init(code: Int32? = nil, signal: String? = nil, coreDumped: Bool = false, errorMessage: String? = nil) {
        self.code = code
        self.signal = signal
        self.coreDumped = coreDumped
        self.errorMessage = errorMessage
    }

    /// The channel closed without the server reporting a status.
    public static let unknown = SSHExit()

    /// True for exit code 0.
    public var succeeded: Bool { code == 0 }

    /// `exit 3`, `signal TERM` or `unknown`.
    public var description: String {
        if let code { return "exit \(code)" }
        if let signal { return "signal \(signal)\(coreDumped ? " (core dumped)" : "")" }
        return "unknown"
    }
}
