/// How a container's main process ended.
public enum ContainerExit: Sendable, Hashable, CustomStringConvertible {
    /// It exited with this code.
    case exited(Int32)
    /// This signal killed it.
    case signaled(Int32)
    /// The kernel's OOM killer ended it (or a process of the container) at a memory limit.
    case oomKilled

    /// The code Kubernetes reports: the exit code, or 128 + signal (137 for OOM).
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .oomKilled: 137
        }
    }

    /// The Kubernetes termination reason: `Completed`, `Error` or `OOMKilled`.
    public var reason: String {
        switch self {
        case .exited(0): "Completed"
        case .oomKilled: "OOMKilled"
        default: "Error"
        }
    }

    /// `exited(3)`, `signaled(9)`, `oomKilled`.
    public var description: String {
        switch self {
        case .exited(let code): "exited(\(code))"
        case .signaled(let signal): "signaled(\(signal))"
        case .oomKilled: "oomKilled"
        }
    }
}
