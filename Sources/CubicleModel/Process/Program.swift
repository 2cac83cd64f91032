#if canImport(Glibc)
import Glibc
#endif

/// Child processes started with `posix_spawn`: a clean signal mask and default dispositions,
/// close-on-exec descriptors, nothing else inherited by accident. Foundation's `Process.run()` on this
/// toolchain over-reads a `dirent` while it scans `/proc/self/fd` and crashes the whole process
/// now and then (swift-corelibs-foundation #5472), so nothing in Cubicle uses it. Every call here
/// blocks: run it on a thread of its own, never on the cooperative pool or an event loop.
public enum Program {
    /// How a finished program ended and what it wrote.
    public struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public let status: Int32
        /// Whether a signal ended it.
        public let signaled: Bool
        /// Everything it wrote to stdout.
        public let stdout: [UInt8]
        /// Everything it wrote to stderr.
        public let stderr: [UInt8]
        /// Whether it was killed for running past the timeout.
        public let timedOut: Bool

        /// Exit code 0.
        public var succeeded: Bool { status == 0 && !signaled && !timedOut }
        /// Stdout as text.
        public var output: String { String(decoding: stdout, as: UTF8.self) }
        /// Stderr as text.
        public var errors: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        /// The program.
        public let executable: String
        /// The errno of the failed step.
        public let code: Int32

        /// `executable: strerror`.
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Where one of a child's standard descriptors goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe whose other end the caller gets.
        case pipe
        /// This process's own descriptor (stdout or stderr as they are).
        case inherit
        /// A file: read for stdin; for output created if needed and appended to.
        case file(String)
    }

    /// A started child: its pid and the parent's ends of the pipes asked for.
    public struct Running: Sendable {
        /// The process id.
        public let pid: pid_t
        /// The write end of its stdin pipe (close it for EOF).
        public let stdin: Int32?
        /// The read end of its stdout pipe.
        public let stdout: Int32?
        /// The read end of its stderr pipe.
        public let stderr: Int32?

        /// Sends `signal`.
        public func signal(_ signal: Int32) { _ = kill(pid, signal) }

        /// Waits for the exit: the exit code, or 128 + the signal; the flag says which.
        public func wait() -> (status: Int32, signaled: Bool) {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 {
                if errno != EINTR { return (-1, false) }
            }
            return Program.decode(raw)
        }

        /// Reaps the child if it has exited; nil while it still runs.
        public func poll() -> (status: Int32, signaled: Bool)? {
            var raw: Int32 = 0
            return waitpid(pid, &raw, WNOHANG) == pid ? Program.decode(raw) : nil
        }
    }

    /// Starts `executable` with `arguments` (without argv[0]); `environment` nil passes this
    /// process's own. `workingDirectory` is entered through `env --chdir` (glibc's spawn has no
    /// portable chdir action in Swift's Glibc module).
    public static func launch(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe
    ) throws(LaunchError) -> Running {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func fail(_ code: Int32) -> LaunchError {
            for case let fd? in parentEnds { close(fd) }
            return LaunchError(executable: executable, code: code)
        }
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit:
                break
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, target == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .pipe:
                // A socket pair, not a pipe: Swift's Glibc has no pipe2, and a descriptor made
                // close-on-exec only after pipe() would leak into a child another thread spawns
                // in between (which would then hold our pipe open). SOCK_CLOEXEC is atomic.
                var fds: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { throw fail(errno) }
                let (parent, child) = target == 0 ? (fds[1], fds[0]) : (fds[0], fds[1])
                parentEnds[Int(target)] = parent
                childEnds.append(child)
                posix_spawn_file_actions_adddup2(&actions, child, target)
            }
        }
        let (path, vector) = workingDirectory.map { ("/usr/bin/env", ["/usr/bin/env", "--chdir", $0, executable] + arguments) }
            ?? (executable, [executable] + arguments)
        let argv = vector.map { strdup($0) } + [nil]
        let envp = (environment ?? currentEnvironment()).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = withCleanSignals { posix_spawn(&pid, path, &actions, $0, argv, envp) }
        guard result == 0 else { throw fail(result) }
        return Running(pid: pid, stdin: parentEnds[0], stdout: parentEnds[1], stderr: parentEnds[2])
    }

    /// Runs `body` with spawn attributes that start a child with no blocked signal and every
    /// signal at its default disposition (this process's threads block or ignore some, and a
    /// child inheriting that could not be stopped), plus `extraFlags` (e.g. setsid).
    public static func withCleanSignals<T>(extraFlags: Int32 = 0, _ body: (UnsafePointer<posix_spawnattr_t>) throws -> T) rethrows -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | extraFlags))
        return try body(&attributes)
    }

    /// Runs a program to completion: `input` (or the file `inputFile`) on its stdin, stdout and
    /// stderr collected, killed (SIGKILL) once `timeout` seconds have passed.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        input: [UInt8] = [], inputFile: String? = nil, timeout: Double? = nil
    ) throws(LaunchError) -> Outcome {
        let stdin: Stream = inputFile.map { .file($0) } ?? (input.isEmpty ? .null : .pipe)
        let child = try launch(executable, arguments, environment: environment, workingDirectory: workingDirectory, stdin: stdin)
        let deadline = timeout.map { monotonicSeconds() + $0 }
        var collected: [Int32: [UInt8]] = [:]
        var open = [child.stdout, child.stderr].compactMap { $0 }
        var pendingInput = input[...]
        var inputFD = child.stdin
        if let fd = inputFD { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var watched = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let fd = inputFD { watched.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            var wait: Int32 = -1
            if let deadline, !timedOut {
                let left = deadline - monotonicSeconds()
                if left <= 0 {
                    timedOut = true
                    child.signal(SIGKILL)
                    continue
                }
                wait = Int32(min(left * 1000 + 1, 60_000))
            }
            let ready = poll(&watched, nfds_t(watched.count), wait)
            if ready < 0 && errno != EINTR { break }
            for entry in watched where entry.revents != 0 {
                if entry.fd == inputFD {
                    let written = pendingInput.withUnsafeBytes { write(entry.fd, $0.baseAddress, $0.count) }
                    if written > 0 { pendingInput = pendingInput.dropFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR || pendingInput.isEmpty {
                        close(entry.fd)
                        inputFD = nil
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[entry.fd, default: []] += buffer[0..<count]
                } else if count == 0 || errno != EINTR && errno != EAGAIN {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        if let fd = inputFD { close(fd) }
        for fd in open { close(fd) }
        let (status, signaled) = child.wait()
        return Outcome(
            status: status, signaled: signaled, stdout: child.stdout.flatMap { collected[$0] } ?? [],
            stderr: child.stderr.flatMap { collected[$0] } ?? [], timedOut: timedOut)
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func decode(_ raw: Int32) -> (status: Int32, signaled: Bool) {
        let signal = raw & 0x7F
        return signal == 0 ? ((raw >> 8) & 0xFF, false) : (128 + signal, true)
    }

    private static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        return result
    }
}
