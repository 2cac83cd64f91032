import CubicleModel
import CubicleTestSupport
import Foundation

/// The real `cubicle` executable as a user runs it: its own configuration file, no terminal, the
/// environment of a shell with `CUBICLE_CONFIG` pointing into a temporary directory.
struct CLIRunner: Sendable {
    let home: TemporaryDirectory
    let executable: String

    init() throws {
        home = try TemporaryDirectory("cubicle-cli")
        executable = try ServeProcess.executable()
    }

    /// The configuration file this runner's commands use.
    var configPath: String { home.file("config/config.yaml") }

    /// The environment of every command.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["CUBICLE_SERVER", "CUBICLE_TOKEN", "CUBICLE_CONTEXT", "KUBECONFIG"] { environment.removeValue(forKey: key) }
        environment["CUBICLE_CONFIG"] = configPath
        environment["HOME"] = home.path
        environment["NO_COLOR"] = "1"
        return environment
    }

    /// One command to completion: its exit status, stdout (bytes and text) and stderr.
    struct Outcome: Sendable {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `cubicle <arguments>` with `inputFile` on stdin (else nothing).
    func run(_ arguments: [String], inputFile: String? = nil, timeout: Double = 300) async throws -> Outcome {
        let (executable, environment) = (executable, environment)
        let outcome = try await blocking {
            try Program.run(executable, arguments, environment: environment, inputFile: inputFile, timeout: timeout)
        }
        return Outcome(status: outcome.status, stdout: outcome.stdout, stderr: outcome.errors)
    }

    /// Starts `cubicle <arguments>` in the background, its output in `log`.
    func spawn(_ arguments: [String], log: String) async throws -> ChildProcess {
        try await ChildProcess.spawn(executable, arguments: arguments, environment: environment, logPath: home.file(log))
    }
}
