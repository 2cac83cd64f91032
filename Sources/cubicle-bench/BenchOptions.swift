import ArgumentParser
import Foundation
import Logging

/// The options every scenario takes: where the repository is, how much the server logs, and
/// whether the human table is printed.
struct BenchOptions: ParsableArguments {
    @Option(help: "The repository root holding blueprints/ and workspace/.")
    var repository = FileManager.default.currentDirectoryPath

    @Flag(help: "Show the server's info logs.")
    var verbose = false

    @Flag(help: "Print only the JSON lines (no header, no table).")
    var json = false

    /// The arguments that give a scenario run by `all` the same repository and logging (`all`
    /// always runs it with `--json` and prints the table itself).
    var forwarded: [String] {
        ["--repository", repository] + (verbose ? ["--verbose"] : [])
    }

    /// Sends logs to standard error at info (`--verbose`) or warning level.
    func bootstrapLogging() {
        let level: Logger.Level = verbose ? .info : .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
