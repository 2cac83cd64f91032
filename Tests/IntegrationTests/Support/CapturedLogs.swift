import Foundation
import Logging
import Synchronization

/// Every record the loggers it makes receive, for tests that assert on what a server logged.
final class CapturedLogs: Sendable {
    /// One log record.
    struct Record: Sendable, CustomStringConvertible {
        let label: String
        let level: Logger.Level
        let message: String
        let source: String

        var description: String { "\(level) \(label) [\(source)] \(message)" }
    }

    private let records = Mutex<[Record]>([])

    /// A logger of `label` that records everything from `trace` up.
    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, logs: self) }
        logger.logLevel = .trace
        return logger
    }

    /// What was recorded so far.
    var all: [Record] { records.withLock { $0 } }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let label: String
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(Record(label: label, level: event.level, message: "\(event.message)", source: event.source))
        }
    }
}
