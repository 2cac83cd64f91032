/// How a child process ended, decoded from a raw `waitpid` status.
enum WaitStatus: Sendable, Hashable {
    /// It called `exit` with this code.
    case exited(Int32)
    /// A signal with this number ended it.
    case signaled(Int32)

    /// Decodes the raw status word (the `WIFEXITED`/`WTERMSIG` macros are not imported into Swift).
    init(raw: Int32) {
        let low = raw & 0x7f
        if low == 0 {
            self = .exited((raw >> 8) & 0xff)
        } else {
            self = .signaled(low)
        }
    }

    /// The shell's view of the status: the code, or 128 + the signal.
    var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
