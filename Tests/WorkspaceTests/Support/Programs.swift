#if canImport(Glibc)
import Glibc
#endif
import CubicleModel
import Foundation
@testable import LocalCluster

/// How a program a test ran ended, and what it printed.
struct ProgramOutput: Sendable {
    /// How it ended.
    var status: WaitStatus
    /// Its standard output.
    var stdout: String
    /// Its standard error.
    var stderr: String

    /// The shell's view of the status (128 + signal when killed).
    var exitCode: Int32 { status.shellCode }
}

/// A program started by a test whose output the test reads as it comes.
struct StreamingProgram: Sendable {
    /// The child process.
    let child: RuntimeChild
    /// The read end of its stdout pipe; `PipeReader` takes ownership and closes it when done.
    let stdout: Int32
    /// The read end of its stderr pipe, when asked for (else stderr is /dev/null).
    let stderr: Int32?
}

/// Spawns real processes for tests without blocking the cooperative pool: the spawn happens on
/// the runtime's worker thread, pipes are read by the poller thread, exits arrive through pidfds.
enum Programs {
    /// Runs `argv` (argv[0] an absolute path) to completion with exactly `environment`.
    /// A program still running after `timeout` seconds is killed (the test then fails on its status).
    static func run(_ argv: [String], environment: [String: String], timeout: Double = 60) async throws -> ProgramOutput {
        let (child, out, err) = try await spawn(argv, environment: environment, separateStderr: true)
        async let stdout = PipeReader.read(fd: out, limit: 8 << 20)
        async let stderr = PipeReader.read(fd: err ?? -1, limit: 1 << 20)
        let status = await wait(child, timeout: timeout)
        return ProgramOutput(
            status: status, stdout: String(decoding: await stdout, as: UTF8.self),
            stderr: String(decoding: await stderr, as: UTF8.self))
    }

    /// Starts `argv` with its stdout (and with `stderr`, its stderr) on a pipe the caller reads.
    static func start(_ argv: [String], environment: [String: String], stderr: Bool = false) async throws -> StreamingProgram {
        let (child, out, err) = try await spawn(argv, environment: environment, separateStderr: stderr)
        return StreamingProgram(child: child, stdout: out, stderr: err)
    }

    /// Waits for `child`, killing it when it outlives `timeout` seconds.
    static func wait(_ child: RuntimeChild, timeout: Double) async -> WaitStatus {
        let guardTask = Task {
            try await SystemTimeSource().sleep(seconds: timeout)
            child.signal(SIGKILL)
        }
        let status = await child.wait()
        guardTask.cancel()
        return status
    }

    private static func spawn(
        _ argv: [String], environment: [String: String], separateStderr: Bool
    ) async throws -> (RuntimeChild, Int32, Int32?) {
        let environmentList = environment.map { "\($0.key)=\($0.value)" }.sorted()
        let result: Result<(RuntimeChild, Int32, Int32?), SpawnFailure> = await RuntimeWorker.shared.run {
            guard let out = LinuxCalls.pipeCloexec() else { return .failure(SpawnFailure(step: "pipe", code: errno)) }
            guard let err = separateStderr ? LinuxCalls.pipeCloexec() : (read: -1, write: open("/dev/null", O_WRONLY | O_CLOEXEC)) else {
                close(out.read)
                close(out.write)
                return .failure(SpawnFailure(step: "pipe", code: errno))
            }
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            defer {
                close(out.write)
                close(err.write)
                if devNull >= 0 { close(devNull) }
            }
            do throws(SpawnFailure) {
                let child = try Spawner.spawn(SpawnRequest(
                    executable: argv[0], arguments: argv, environment: environmentList,
                    stdin: devNull, stdout: out.write, stderr: err.write))
                return .success((child, out.read, separateStderr ? err.read : nil))
            } catch {
                close(out.read)
                if separateStderr { close(err.read) }
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension SpawnFailure: CustomStringConvertible {}

/// Re-checks `condition` until it holds or `timeout` seconds pass; tests wait on conditions,
/// never for a fixed time.
func eventually(timeout: Double = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// Live (non-zombie) processes whose command line or working directory mentions `text`.
func processes(mentioning text: String) async -> [pid_t] {
    await scanning {
        ProcFS.allPIDs().filter { pid in
            guard pid != getpid(), let info = ProcFS.stat(pid), info.state != "Z" else { return false }
            let commandLine = (FileIO.read("/proc/\(pid)/cmdline") ?? "").replacingOccurrences(of: "\0", with: " ")
            let directory = FileIO.readLink("/proc/\(pid)/cwd") ?? ""
            return commandLine.contains(text) || directory.hasPrefix(text)
        }
    }
}

/// Live (non-zombie) processes of session `session`.
func processes(inSession session: pid_t) async -> [pid_t] {
    await scanning { ProcFS.processes(inSession: session) }
}

/// Whether `pid` is a live, non-zombie process.
func isAlive(_ pid: pid_t) async -> Bool {
    await scanning { ProcFS.stat(pid).map { $0.state != "Z" } ?? false }
}

/// A process as /proc shows it.
struct ProcessEntry: Sendable {
    var pid: pid_t
    var arguments: [String]
}

/// The live children of `parent`, with their command lines.
func children(of parent: pid_t) async -> [ProcessEntry] {
    await scanning {
        ProcFS.children(of: parent).compactMap { pid in
            guard let info = ProcFS.stat(pid), info.state != "Z" else { return nil }
            let arguments = (FileIO.read("/proc/\(pid)/cmdline") ?? "").split(separator: "\0").map(String.init)
            return ProcessEntry(pid: pid, arguments: arguments)
        }
    }
}

/// Runs a /proc scan on a thread of its own: tests poll these often, and on the runtime's one
/// worker thread they would delay every sandbox and kubelet in the same test process.
func scanning<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
