import CubicleTestSupport
import Foundation
import Synchronization

/// A child process started with posix_spawn (not Foundation's Process, whose run() crashed once
/// in a full parallel test run), stdin from /dev/null and stdout+stderr into a log file — never a
/// pipe the test might not drain. Waiting happens off the cooperative pool.
final class ChildProcess: Sendable {
    let pid: pid_t
    let logPath: String
    /// The exit status once the child has been reaped, so it is never waited for twice.
    private let status = Mutex<Int32?>(nil)

    private init(pid: pid_t, logPath: String) {
        self.pid = pid
        self.logPath = logPath
    }

    /// Starts `path` with `arguments` (without argv[0]) and `environment` (this process's when
    /// nil), in `workingDirectory` (this process's when nil).
    static func spawn(
        _ path: String, arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        logPath: String
    ) async throws -> ChildProcess {
        let pid = try await blocking { () -> pid_t in
            let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard log >= 0 else { throw TestFailure("cannot open \(logPath)") }
            defer { close(log) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, log, 1)
            posix_spawn_file_actions_adddup2(&actions, log, 2)
            // Swift's Glibc does not expose posix_spawn_file_actions_addchdir_np; env(1) changes directory.
            let (program, argumentVector) = workingDirectory.map { ("/usr/bin/env", ["/usr/bin/env", "--chdir", $0, path] + arguments) }
                ?? (path, [path] + arguments)
            let argv = argumentVector.map { strdup($0) } + [nil]
            let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0)=\($1)") } + [nil]
            defer {
                for pointer in argv { free(pointer) }
                for pointer in envp { free(pointer) }
            }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, program, &actions, nil, argv, envp)
            guard rc == 0 else { throw TestFailure("posix_spawn \(path) failed: \(rc)") }
            return pid
        }
        return ChildProcess(pid: pid, logPath: logPath)
    }

    /// Whether the child still runs (reaping it if it has exited).
    var isRunning: Bool {
        status.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = Self.exitStatus(raw) }
            return status == nil
        }
    }

    /// Waits for the child to exit; its exit code, or 128 + the signal that ended it.
    @discardableResult
    func wait() async throws -> Int32 {
        try await blocking { [self] in
            if let known = status.withLock({ $0 }) { return known }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            let code = Self.exitStatus(raw)
            status.withLock { $0 = code }
            return code
        }
    }

    /// Sends `signal` (unless the child has already been reaped) and waits for it to exit.
    func stop(signal: Int32) async throws {
        if status.withLock({ $0 }) == nil { kill(pid, signal) }
        try await wait()
    }

    /// The log so far.
    func log() async throws -> String {
        try await blocking { [logPath] in (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    }

    /// Runs `path` to completion; its exit code and stdout+stderr together (through a log file
    /// in a temporary directory, never a pipe).
    static func run(
        _ path: String, arguments: [String], environment: [String: String]? = nil
    ) async throws -> (status: Int32, output: String) {
        let directory = try TemporaryDirectory("cubicle-run")
        defer { directory.remove() }
        let child = try await spawn(path, arguments: arguments, environment: environment, logPath: directory.file("output"))
        let status = try await child.wait()
        return (status, try await child.log())
    }

    private static func exitStatus(_ raw: Int32) -> Int32 {
        raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}
