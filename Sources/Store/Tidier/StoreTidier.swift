import CubicleModel
import Foundation
import Logging
import ServiceLifecycle

/// Deletes what has expired: finished jobs past their TTL, web sessions, login states and CLI
/// handoffs, abandoned uploads, and shell sessions ended longer ago than the retention.
///
/// Runs as a `Service`; its clock is injected, so tests advance time instead of waiting.
/// Records with files (uploads, recordings) are handed to `removeFiles` first and deleted only
/// when it succeeds, so a crash or failure leaves them for the next pass rather than orphaning files.
public struct StoreTidier: Service {
    /// How often and how long to keep things.
    public struct Configuration: Sendable, Hashable {
        /// Seconds between passes.
        public var interval: Double
        /// Seconds an ended shell session (and its recording) is kept.
        public var shellSessionRetention: Double

        /// Passes every minute; shell sessions kept 30 days.
        public init(interval: Double = 60, shellSessionRetention: Double = 30 * 86_400) {
            self.interval = interval
            self.shellSessionRetention = shellSessionRetention
        }
    }

    private let store: any CubicleStore
    private let time: any TimeSource
    private let configuration: Configuration
    private let logger: Logger
    private let removeFiles: @Sendable (ExpiredFiles) async throws -> Void
    private let onPass: (@Sendable (TidyReport) -> Void)?

    /// Creates a tidier; `removeFiles` deletes upload temp files and recordings, `onPass` observes each pass.
    public init(
        store: any CubicleStore,
        time: any TimeSource,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "cubicle.store.tidier"),
        removeFiles: @escaping @Sendable (ExpiredFiles) async throws -> Void = { _ in },
        onPass: (@Sendable (TidyReport) -> Void)? = nil
    ) {
        self.store = store
        self.time = time
        self.configuration = configuration
        self.logger = logger
        self.removeFiles = removeFiles
        self.onPass = onPass
    }

    /// Tidies now, then every `interval`, until cancelled or the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await tidy()
                    if report.total > 0 { logger.debug("tidied", metadata: ["deleted": "\(report.total)"]) }
                    onPass?(report)
                } catch is CancellationError {
                    return
                } catch {
                    // A failed pass (disk full, lock timeout) is retried at the next interval.
                    logger.warning("tidying failed", metadata: ["error": "\(error)"])
                }
                do {
                    try await time.sleep(until: time.now.addingTimeInterval(configuration.interval))
                } catch {
                    return
                }
            }
        }
    }

    /// One pass at the clock's current time.
    public func tidy() async throws -> TidyReport {
        let now = time.now
        var report = TidyReport()
        report.jobs = try await store.jobs.deleteExpired(now: now)
        report.webSessions = try await store.webSessions.deleteExpired(now: now)
        report.loginStates = try await store.loginStates.deleteExpired(now: now)

        let uploads = try await store.uploads.expired(now: now)
        let sessions = try await store.shellSessions.ended(before: now.addingTimeInterval(-configuration.shellSessionRetention))
        let files = ExpiredFiles(uploads: uploads, recordingPaths: sessions.compactMap(\.recordingPath))
        if !files.isEmpty {
            do {
                try await removeFiles(files)
            } catch {
                logger.warning("removing expired files failed; will retry", metadata: ["error": "\(error)"])
                return report
            }
        }
        for upload in uploads {
            do {
                try await store.uploads.delete(uploadID: upload.uploadID)
                report.uploads += 1
            } catch let error as StoreError where error.code == .notFound {
                continue  // aborted or completed meanwhile
            }
        }
        for session in sessions {
            try await store.shellSessions.delete(sessionID: session.sessionID)
            report.shellSessions += 1
        }
        return report
    }
}
