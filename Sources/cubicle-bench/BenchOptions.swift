import ArgumentParser
import Foundation
import Logging

/// The options every scenario takes: where the repository is and how much the server logs.
struct BenchOptions: ParsableArguments {
    @Option(help: "The repository root holding blueprints/ and workspace/.")
    var repository = FileManager.default.currentDirectoryPath

    @Flag(help: "Show the server's info logs.")
    var verbose = false

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
