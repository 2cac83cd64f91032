import CubicleModel
import Foundation

/// A child process with its stdin and stdout on pipes this process reads and writes directly
/// (on its own threads or a poll loop), stderr to a file; spawned with posix_spawn.
struct Child: Sendable {
    /// The child's pid.
    let pid: pid_t
    /// The write end of the child's stdin.
    let stdin: Int32
    /// The read end of the child's stdout.
    let stdout: Int32

    /// Starts `program` with `arguments`; stderr goes to `stderr` (appended). With
    /// `terminalInput` the child's stdin is the slave of a new raw pseudo-terminal (`stdin` is
    /// then its master), for programs that insist on a terminal (an OpenSSH mux client's `-tt`).
    static func spawn(_ program: String, _ arguments: [String], stderr: String = "/dev/null", terminalInput: Bool = false) throws -> Child {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        if terminalInput {
            input = try rawTerminal()
        } else {
            guard pipe(&input) == 0 else { throw BenchError("pipe failed: errno \(errno)") }
        }
        guard pipe(&output) == 0 else {
            close(input[0]); close(input[1])
            throw BenchError("pipe failed: errno \(errno)")
        }
        // Glibc's pipe2 is not visible to Swift; other threads' spawns must not inherit these ends.
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // Threads of this process block most signals and the bench ignores SIGPIPE; the child
        // must start with neither, or it could not be stopped with SIGTERM.
        var pid: pid_t = 0
        let result = Program.withCleanSignals { posix_spawn(&pid, program, &actions, $0, argv, environ) }
        close(input[0])
        close(output[1])
        guard result == 0 else {
            close(input[1]); close(output[0])
            throw BenchError("could not start \(program): errno \(result)")
        }
        return Child(pid: pid, stdin: input[1], stdout: output[0])
    }

    /// `TIOCSPTLCK` and `TIOCGPTN` (Linux `_IOW('T', 0x31, int)` / `_IOR('T', 0x30, unsigned int)`),
    /// macros Swift does not import.
    private static let lockRequest: UInt = 0x4004_5431
    private static let numberRequest: UInt = 0x8004_5430

    /// A new pseudo-terminal in raw mode: `[slave, master]` (the order of `pipe`'s read and write ends).
    private static func rawTerminal() throws -> [Int32] {
        // posix_openpt/unlockpt/ptsname are not visible to Swift; these are what they do on Linux.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw BenchError("could not open /dev/ptmx: errno \(errno)") }
        var unlock: CInt = 0
        var number: CInt = 0
        guard ioctl(master, lockRequest, &unlock) == 0, ioctl(master, numberRequest, &number) == 0 else {
            close(master)
            throw BenchError("could not set up a pseudo-terminal: errno \(errno)")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            close(master)
            throw BenchError("could not open /dev/pts/\(number): errno \(errno)")
        }
        var settings = termios()
        tcgetattr(slave, &settings)
        cfmakeraw(&settings)
        tcsetattr(slave, TCSANOW, &settings)
        return [slave, master]
    }

    /// Writes all of `bytes` to the child's stdin (blocking; call on a thread).
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(stdin, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw BenchError("writing to child \(pid): errno \(errno)")
            }
            offset += written
        }
    }

    /// Reads what is available from stdout into `buffer` (blocking); 0 at end of file.
    func read(into buffer: inout [UInt8]) throws -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(stdout, $0.baseAddress!, $0.count) }
            if count >= 0 { return count }
            if errno != EINTR { throw BenchError("reading from child \(pid): errno \(errno)") }
        }
    }

    /// Reads stdout until `marker` has appeared (blocking); throws at end of file first.
    func waitFor(_ marker: [UInt8]) throws {
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while seen.firstRange(of: marker) == nil {
            let count = try read(into: &buffer)
            guard count > 0 else { throw BenchError("child \(pid) ended before printing its marker: \(String(decoding: seen.suffix(300), as: UTF8.self))") }
            seen += buffer[0..<count]
        }
    }

    /// Closes both pipe ends.
    func closePipes() {
        close(stdin)
        close(stdout)
    }

    /// Signals the child.
    func kill(_ signal: Int32 = SIGTERM) { _ = Glibc.kill(pid, signal) }

    /// Waits for the child to exit (blocking; call on a thread) and returns its wait status.
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status
    }
}
