import CubicleModel
import SSHClient

/// How a shell or command ended, written on channel 3 exactly as the kubelet writes its
/// `metav1.Status`, so `kubectl`-style clients report the exit code the same way.
enum ExecStatus: Equatable, Sendable {
    /// Exit code 0.
    case success
    /// A non-zero exit code (signals become 128 + the signal number, as shells report them).
    case exitCode(Int32)
    /// Anything else: the session died, the channel closed without a status.
    case internalError(String)

    /// The status for an SSH exit record.
    init(_ exit: SSHExit) {
        if let code = exit.code {
            self = code == 0 ? .success : .exitCode(code)
        } else if let signal = exit.signal, let number = Self.signalNumbers[signal] {
            self = .exitCode(128 + number)
        } else if let signal = exit.signal {
            self = .internalError("the command was killed by signal \(signal)")
        } else {
            self = .internalError("the command ended without reporting an exit status")
        }
    }

    private static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    ]

    /// The JSON document, keys in the kubelet's order.
    var json: String {
        switch self {
        case .success:
            return #"{"metadata":{},"status":"Success"}"#
        case .exitCode(let code):
            let message = Self.quoted("command terminated with non-zero exit code: exit status \(code)")
            return #"{"metadata":{},"status":"Failure","message":\#(message),"reason":"NonZeroExitCode","#
                + #""details":{"causes":[{"reason":"ExitCode","message":"\#(code)"}]}}"#
        case .internalError(let detail):
            let message = Self.quoted("Internal error occurred: \(detail)")
            return #"{"metadata":{},"status":"Failure","message":\#(message),"reason":"InternalError","#
                + #""details":{"causes":[{"message":\#(Self.quoted(detail))}]},"code":500}"#
        }
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)
    }
}
