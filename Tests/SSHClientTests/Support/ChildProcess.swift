import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn` and reaped with `waitpid`. Foundation's
/// `Process` reaps children one at a time on a single thread, so with several long-lived
/// servers from parallel tests one `waitUntilExit` can wait on another test's server.
final class ChildProcess: Sendable {
    let pid: pid_t

    /// Starts `path` with `arguments`; stdout and stderr are appended to `logPath` (or discarded).
    init(_ path: String, _ arguments: [String], logPath: String? = nil, stdinPath: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        let output = logPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw FixtureError("posix_spawn \(path) failed: \(rc)") }
        pid = child
    }

    /// True until the process has exited (and been reaped).
    var isRunning: Bool {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid { ChildProcess.record(pid, status) }
        return rc == 0
    }

    /// Sends `signal`.
    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Kills the process and reaps it.
    func killAndReap() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// Waits (polling) for exit and returns the exit status.
    func exitStatus(timeout: Double = 30) async throws -> Int32 {
        try await waitUntil("process \(pid) exits", timeout: timeout) { !self.isRunning }
        return ChildProcess.recorded(pid) ?? -1
    }

    private static let statuses = Mutex<[pid_t: Int32]>([:])

    private static func record(_ pid: pid_t, _ status: Int32) {
        statuses.withLock { $0[pid] = status }
    }

    private static func recorded(_ pid: pid_t) -> Int32? {
        guard let status = statuses.withLock({ $0[pid] }) else { return nil }
        return (status >> 8) & 0xff
    }
}

/// Runs a tool to completion and returns its output (stdout and stderr together).
func runTool(_ path: String, _ arguments: [String]) async throws -> String {
    let directory = try makeTemporaryDirectory(prefix: "cubicle-tool")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = "\(directory)/output"
    let process = try ChildProcess(path, arguments, logPath: log)
    let status = try await process.exitStatus()
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    guard status == 0 else { throw FixtureError("\(path) \(arguments) exited \(status): \(output)") }
    return output
}
