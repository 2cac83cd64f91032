import CubicleModel
import CubicleTestSupport
import Foundation
import Synchronization

/// A long-lived child (`Program.launch`): stdin from /dev/null and stdout+stderr appended to a
/// log file — never a pipe the test might not drain. Waiting happens off the cooperative pool.
final class ChildProcess: Sendable {
    let logPath: String
    private let child: Program.Running
    /// The exit status once the child has been reaped, so it is never waited for twice.
    private let status = Mutex<Int32?>(nil)

    /// The process id.
    var pid: pid_t { child.pid }

    private init(child: Program.Running, logPath: String) {
        self.child = child
        self.logPath = logPath
    }

    /// Starts `path` with `arguments` (without argv[0]) and `environment` (this process's when
    /// nil), in `workingDirectory` (this process's when nil).
    static func spawn(
        _ path: String, arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        logPath: String
    ) async throws -> ChildProcess {
        let child = try await blocking {
            try Program.launch(
                path, arguments, environment: environment, workingDirectory: workingDirectory, stdout: .file(logPath),
                stderr: .file(logPath))
        }
        return ChildProcess(child: child, logPath: logPath)
    }

    /// Whether the child still runs (reaping it if it has exited).
    var isRunning: Bool {
        status.withLock { status in
            if status == nil, let ended = child.poll() { status = ended.status }
            return status == nil
        }
    }

    /// Waits for the child to exit; its exit code, or 128 + the signal that ended it.
    @discardableResult
    func wait() async throws -> Int32 {
        try await blocking { [self] in
            if let known = status.withLock({ $0 }) { return known }
            let code = child.wait().status
            status.withLock { $0 = code }
            return code
        }
    }

    /// Sends `signal` (unless the child has already been reaped) and waits for it to exit.
    func stop(signal: Int32) async throws {
        if status.withLock({ $0 }) == nil { child.signal(signal) }
        try await wait()
    }

    /// The log so far.
    func log() async throws -> String {
        try await blocking { [logPath] in (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    }

    /// Runs `path` to completion; its exit code and its stdout followed by its stderr.
    static func run(
        _ path: String, arguments: [String], environment: [String: String]? = nil
    ) async throws -> (status: Int32, output: String) {
        try await blocking {
            let outcome = try Program.run(path, arguments, environment: environment)
            return (outcome.status, outcome.output + outcome.errors)
        }
    }
}
