import CubicleTestSupport
import Foundation

/// The real `cubicle serve` executable as a child process on a data directory, so tests can
/// SIGKILL it mid-work and start it again on the same directory. Output goes to a log file per
/// start (never a pipe the test might not drain).
final class ServeProcess: Sendable {
    let url: String
    private let child: ChildProcess

    private init(url: String, child: ChildProcess) {
        self.url = url
        self.child = child
    }

    /// The server's process id (for reading its /proc entries).
    var pid: pid_t { child.pid }

    /// The log file of this start.
    var logPath: String { child.logPath }

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
    static func start(
        dataDirectory: String, logName: String, extraArguments: [String] = [], extraEnvironment: [String: String] = [:]
    ) async throws -> ServeProcess {
        let logPath = "\(dataDirectory)/\(logName).log"
        let executable = try executable()
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "KUBECONFIG")
        environment.merge(extraEnvironment) { _, new in new }
        let arguments = [
            "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--embedded",
            "--blueprints", "\(ServerHarness.repository)/blueprints", "--workspace-dir", "\(ServerHarness.repository)/workspace",
        ] + extraArguments
        let child = try await ChildProcess.spawn(executable, arguments: arguments, environment: environment, logPath: logPath)
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
        return ServeProcess(url: url ?? "", child: child)
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
    func log() async throws -> String { try await child.log() }

    /// Sends `signal` and waits for the process to exit.
    func stop(signal: Int32) async throws { try await child.stop(signal: signal) }

    /// Kills what the server's process kubelet left running under `dataDirectory` (sandboxes
    /// outlive a stopped server by design, to be adopted by the next start; a test that is done
    /// with the directory must not leave a workspace's sshd holding its pod address).
    static func reapSandboxes(under dataDirectory: String) async {
        _ = try? await blocking {
            let own = getpid()
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(entry), pid != own,
                      let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                let commandLine = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                if commandLine.contains(dataDirectory + "/") { kill(pid, SIGKILL) }
            }
        }
    }
}
