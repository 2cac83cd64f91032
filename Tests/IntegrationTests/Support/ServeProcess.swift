import CubicleTestSupport
import Foundation
import Synchronization

/// The real `cubicle serve` executable as a child process on a data directory, so tests can
/// SIGKILL it mid-work and start it again on the same directory. Output goes to a log file per
/// start (never a pipe the test might not drain).
final class ServeProcess: Sendable {
    let url: String
    let logPath: String
    private let process: Unchecked<Process>

    private init(url: String, logPath: String, process: Process) {
        self.url = url
        self.logPath = logPath
        self.process = Unchecked(value: process)
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
        let process = try await blocking { () -> Unchecked<Process> in
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            guard let log = FileHandle(forWritingAtPath: logPath) else { throw TestFailure("cannot write \(logPath)") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--embedded",
                "--blueprints", "\(ServerHarness.repository)/blueprints", "--workspace-dir", "\(ServerHarness.repository)/workspace",
            ] + extraArguments
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "KUBECONFIG")
            process.environment = environment
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try log.close()
            return Unchecked(value: process)
        }
        var url: String?
        do {
            try await eventually("cubicle serve listens (log \(logPath))", within: 90) {
                if !process.value.isRunning { throw TestFailure("cubicle serve exited: \(Self.tail(logPath))") }
                url = try await blocking { Self.listeningURL(in: logPath) }
                return url != nil
            }
        } catch {
            process.value.terminate()
            throw error
        }
        return ServeProcess(url: url ?? "", logPath: logPath, process: process.value)
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

    /// Sends `signal` and waits for the process to exit.
    func stop(signal: Int32) async throws {
        let process = self.process
        kill(process.value.processIdentifier, signal)
        try await blocking { process.value.waitUntilExit() }
    }
}
