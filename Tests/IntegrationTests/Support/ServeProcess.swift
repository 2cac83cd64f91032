import CubicleTestSupport
import Foundation
import Synchronization

/// The real `cubicle serve` executable as a child process on a data directory, so tests can
/// SIGKILL it mid-work and start it again on the same directory. Output goes to a log file per
/// start (never a pipe the test might not drain).
final class ServeProcess: Sendable {
    let url: String
    let logPath: String
    private let pid: pid_t
    /// Set once the child has been reaped, so it is never waited for twice.
    private let reaped = Mutex(false)

    private init(url: String, logPath: String, pid: pid_t) {
        self.url = url
        self.logPath = logPath
        self.pid = pid
    }

    /// The built `cubicle` executable: a sibling of the test bundle in `.build/<triple>/debug`.
    static func executable() throws -> String {
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        // The test binary may sit inside a `.xctest` bundle directory.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("cubicle").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw TestFailure("no cubicle executable next to the tests at \(candidate); build with `swift build --build-tests`")
        }
        return candidate
    }

    /// Starts `cubicle serve` on an ephemeral port and waits until it listens.
    static func start(dataDirectory: String, logName: String, extraArguments: [String] = []) async throws -> ServeProcess {
        let logPath = "\(dataDirectory)/\(logName).log"
        let executable = try executable()
        // posix_spawn directly (not Foundation's Process, whose run() crashed once in a full
        // parallel test run); the log file is the child's stdout and stderr.
        let pid = try await blocking { () -> pid_t in
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "KUBECONFIG")
            let arguments = [
                executable, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--embedded",
                "--blueprints", "\(ServerHarness.repository)/blueprints", "--workspace-dir", "\(ServerHarness.repository)/workspace",
            ] + extraArguments
            return try Self.spawn(executable, arguments: arguments, environment: environment.map { "\($0)=\($1)" }, logPath: logPath)
        }
        let child = ServeProcess(url: "", logPath: logPath, pid: pid)
        var url: String?
        do {
            try await eventually("cubicle serve listens (log \(logPath))", within: 90) {
                if !child.isRunning { throw TestFailure("cubicle serve exited: \(Self.tail(logPath))") }
                url = try await blocking { Self.listeningURL(in: logPath) }
                return url != nil
            }
        } catch {
            try? await child.stop(signal: SIGKILL)
            throw error
        }
        return ServeProcess(url: url ?? "", logPath: logPath, pid: pid)
    }

    /// The URL from the "listening on" line, once it is logged.
    private static func listeningURL(in logPath: String) -> String? {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8),
              let range = text.range(of: "listening on http://") else { return nil }
        let rest = text[range.upperBound...].prefix { !$0.isWhitespace }
        return "http://" + rest
    }

    /// The end of a log, for failure messages.
    static func tail(_ logPath: String) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(2000))
    }

    /// The log so far.
    func log() async throws -> String {
        try await blocking { [logPath] in try String(contentsOfFile: logPath, encoding: .utf8) }
    }

    /// Whether the child still runs (reaping it if it has exited).
    var isRunning: Bool {
        reaped.withLock { reaped in
            if reaped { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
            return !reaped
        }
    }

    /// Sends `signal` and waits for the process to exit.
    func stop(signal: Int32) async throws {
        try await blocking { [self] in
            if reaped.withLock({ $0 }) { return }
            kill(pid, signal)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped.withLock { $0 = true }
        }
    }

    /// Starts `path` with `arguments` (argv[0] first) and `environment`, output appended to `logPath`.
    private static func spawn(_ path: String, arguments: [String], environment: [String], logPath: String) throws -> pid_t {
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw TestFailure("cannot open \(logPath)") }
        defer { close(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw TestFailure("posix_spawn \(path) failed: \(rc)") }
        return pid
    }
}
