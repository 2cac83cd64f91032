import CubicleModel
import Foundation
import Logging
import Synchronization

/// Keeps a blueprint directory's catalog current: watches the directory tree with inotify,
/// waits until it has been quiet for the debounce interval, reloads the whole set, and
/// publishes the new catalog only when it has no errors; otherwise the previous set stays in
/// force and the errors are logged and exposed through `status` and `errors`.
///
/// The first load is published even when it has errors, so the valid blueprints of a partly
/// broken directory are usable at start-up and the broken ones answer as invalid.
public final class BlueprintWatcher: Sendable {
    private struct State: ~Copyable {
        var scheduler: ReloadScheduler
        var catalog: BlueprintCatalog?
        var fingerprint: Int?
        var status: BlueprintStatus = .notLoaded
        var errors: [BlueprintDiagnostic] = []
        var subscribers: [UInt64: AsyncStream<BlueprintCatalog>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        var issuedTicket: UInt64 = 0
        var appliedTicket: UInt64 = 0
        var reloadCount = 0
        var changeEventCount = 0
        var monitor: DirectoryMonitor?
    }

    /// The watched directory.
    public let directory: String
    private let timeSource: any TimeSource
    private let logger: Logger
    private let state: Mutex<State>

    /// Creates a watcher for `directory`; nothing is read until `reload()` or `run()`.
    public init(
        directory: String, debounce: TimeInterval = 0.5, timeSource: any TimeSource = SystemTimeSource(),
        logger: Logger = Logger(label: "cubicle.blueprints")
    ) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.timeSource = timeSource
        self.logger = logger
        state = Mutex(State(scheduler: ReloadScheduler(debounce: debounce)))
    }

    /// The catalog in force (empty before the first load).
    public var catalog: BlueprintCatalog { state.withLock { $0.catalog ?? .empty } }

    /// `ok`, or the last load's first error and how many more, for the healthcheck.
    public var status: BlueprintStatus { state.withLock { $0.status } }

    /// The last load's problems (empty when it was clean).
    public var errors: [BlueprintDiagnostic] { state.withLock { $0.errors } }

    /// How many loads have finished.
    var reloadCount: Int { state.withLock { $0.reloadCount } }

    /// How many inotify events have arrived.
    var changeEventCount: Int { state.withLock { $0.changeEventCount } }

    /// True while a change has been seen that no reload has covered yet.
    var hasPendingChange: Bool { state.withLock { $0.scheduler.changeGeneration != $0.scheduler.reloadedGeneration } }

    /// The catalog in force (when there is one) and then every newly published catalog; a slow
    /// subscriber only sees the newest.
    public func catalogs() -> AsyncStream<BlueprintCatalog> {
        let (stream, continuation) = AsyncStream.makeStream(of: BlueprintCatalog.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64 = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            if let catalog = state.catalog { continuation.yield(catalog) }
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Loads the directory now and applies the result as a reload would; returns the new status.
    @discardableResult
    public func reload() async -> BlueprintStatus {
        let (ticket, monitor) = state.withLock { state -> (UInt64, DirectoryMonitor?) in
            state.issuedTicket += 1
            return (state.issuedTicket, state.monitor)
        }
        let directory = directory
        let (result, watching) = await BlockingIOThread.shared.run { () -> (BlueprintLoadResult, Bool) in
            let result = BlueprintLoader.loadSynchronously(directory: directory)
            guard let monitor else { return (result, true) }
            let failed = monitor.watch(result.watchDirectories)
            return (result, !failed.contains(directory) && monitor.watchedDirectories.contains(directory))
        }
        return apply(result, ticket: ticket, watching: monitor == nil || watching)
    }

    /// Watches and reloads until the task is cancelled (the lead wraps this into a `Service`).
    /// Loads once at start; throws only when inotify cannot be set up.
    public func run() async throws {
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let monitor = try DirectoryMonitor { [weak self] count in
            self?.noteChanges(count)
            signal.yield()
        }
        state.withLock { $0.monitor = monitor }
        defer {
            state.withLock { $0.monitor = nil }
            monitor.close()
            signal.finish()
        }
        let directory = directory
        _ = await BlockingIOThread.shared.run { monitor.watch([directory]) }
        state.withLock { $0.scheduler.reloadStarted() }
        await reload()

        var iterator = signals.makeAsyncIterator()
        while !Task.isCancelled {
            let action = state.withLock { $0.scheduler.next(now: timeSource.now) }
            switch action {
            case .waitForChange:
                guard await iterator.next() != nil else { return }
            case .sleep(let deadline):
                do {
                    try await timeSource.sleep(until: deadline)
                } catch {
                    return
                }
                let now = timeSource.now
                state.withLock { $0.scheduler.pollDue(now: now) }
            case .reload:
                state.withLock { $0.scheduler.reloadStarted() }
                await reload()
            }
        }
    }

    private func noteChanges(_ count: Int) {
        let now = timeSource.now
        state.withLock { state in
            state.changeEventCount += count
            state.scheduler.changed(at: now)
        }
    }

    private func apply(_ result: BlueprintLoadResult, ticket: UInt64, watching: Bool) -> BlueprintStatus {
        let now = timeSource.now
        let (status, published, kept) = state.withLock { state -> (BlueprintStatus, Bool, Bool) in
            state.reloadCount += 1
            state.scheduler.reloadFinished(watching: watching, now: now)
            // A slower, older load must not overwrite a newer one.
            guard ticket > state.appliedTicket else { return (state.status, false, false) }
            state.appliedTicket = ticket
            state.errors = result.diagnostics
            state.status = BlueprintStatus(result.diagnostics)
            let first = state.catalog == nil
            guard result.isValid || first else { return (state.status, false, true) }
            guard first || state.fingerprint != result.fingerprint else { return (state.status, false, false) }
            state.catalog = result.catalog
            state.fingerprint = result.fingerprint
            for subscriber in state.subscribers.values { subscriber.yield(result.catalog) }
            return (state.status, true, false)
        }
        if published {
            logger.info("blueprints loaded", metadata: [
                "directory": "\(directory)", "blueprints": "\(result.catalog.names.count)", "status": "\(status)",
            ])
        }
        if !result.isValid {
            logger.error("blueprint errors\(kept ? "; keeping the previous set" : "")", metadata: [
                "directory": "\(directory)", "errors": "\(result.diagnostics.count)",
            ])
            for diagnostic in result.diagnostics.prefix(50) {
                logger.error("\(diagnostic.description)")
            }
        }
        if !watching {
            logger.warning("blueprint directory cannot be watched; polling for it", metadata: ["directory": "\(directory)"])
        }
        return status
    }
}
