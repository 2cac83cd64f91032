/// The remote programs both sides of the shell scenarios run, so Cubicle and OpenSSH do the
/// same work on the same sshd: the argv Cubicle sends as `command=` and, for `ssh`, the very
/// command line Cubicle hands the workspace's shell (each argument single-quoted).
enum ShellPrograms {
    /// What a program prints once it is ready for input.
    static let ready = Array("READY".utf8)

    /// The byte that ends `echo` (Ctrl-C: `isig` stays on, so it interrupts `cat`).
    static let interrupt: UInt8 = 3

    /// `cat` on a raw terminal without the terminal's own echo: every byte comes back once,
    /// from `cat` itself, as a full-screen program or a raw-mode shell would echo it.
    static let echo = ["sh", "-c", "stty raw -echo isig && printf READY && exec cat"]

    /// Writes `bytes` zero bytes to stdout.
    static func output(bytes: Int) -> [String] { ["head", "-c", String(bytes), "/dev/zero"] }

    /// The command line `ssh` sends for an argv (Cubicle's `ShellOptions.commandLine` quoting).
    static func commandLine(_ argv: [String]) -> String {
        argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    /// The i-th keystroke: letters only, which a raw terminal passes unchanged.
    static func keystroke(_ index: Int) -> UInt8 { UInt8(ascii: "a") + UInt8(index % 26) }
}
