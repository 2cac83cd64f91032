import CubicleMetrics
import CubicleModel
import Foundation
import Logging
import SSHClient
import Store
import Synchronization

/// The live shell sessions of this server, by id: started, found for re-attach, dropped once
/// finished, all ended on shutdown.
public final class ShellRegistry: Sendable {
    /// How shells behave.
    public let settings: ShellSettings
    private let store: any CubicleStore
    private let time: any TimeSource
    private let logger: Logger
    private let sessions = Mutex<[String: LiveShell]>([:])
    private let metrics: ShellMetrics

    /// Creates an empty registry; its session and byte counts go to `metrics`.
    public init(
        settings: ShellSettings, store: any CubicleStore, time: any TimeSource, logger: Logger = Logger(label: "cubicle.shells"),
        metrics: MetricsRegistry = MetricsRegistry()
    ) {
        self.settings = settings
        self.store = store
        self.time = time
        self.logger = logger
        self.metrics = ShellMetrics(registry: metrics)
    }

    /// Sessions alive now.
    public var count: Int { sessions.withLock { $0.count } }

    /// A session `username` may re-attach to in `workspace`; 404 for anything else.
    func session(_ id: String, username: String, workspace: String) throws(APIError) -> LiveShell {
        guard let session = sessions.withLock({ $0[id] }), session.username == username, session.workspace == workspace else {
            throw APIError.notFound("session \"\(id.prefix(64))\" not found")
        }
        return session
    }

    /// Records and registers a session on an open channel; the caller attaches its client and
    /// then starts the output pump (`LiveShell.startPump`), so no output or exit status can pass
    /// before the first client is there to take it.
    func start(plan: ShellPlan, blueprint: String, channel: SSHChannel, recorder: AsciicastRecorder?) async throws -> LiveShell {
        let session = LiveShell(
            id: plan.sessionID, username: plan.caller.username, workspace: plan.workspace, options: plan.options, channel: channel,
            recorder: recorder, settings: settings, store: store, time: time, logger: logger, metrics: metrics,
            onFinished: { [weak self] id in self?.remove(id) })
        try await store.shellSessions.create(
            LiveShell.record(
                id: plan.sessionID, username: plan.caller.username, workspace: plan.workspace, blueprint: blueprint, client: plan.client,
                clientIP: plan.clientIP, start: time.now, operation: plan.options.command.isEmpty ? .shell : .exec,
                recordingPath: recorder?.path))
        sessions.withLock { $0[session.id] = session }
        metrics.started.increment()
        metrics.active.increment()
        // The account may have been locked or deleted while this shell was connecting, after
        // `end(username:)` looked: checked again now that the session is registered.
        do {
            if try await store.users.get(plan.caller.username).locked { session.end(reason: "the account was locked") }
        } catch let error as StoreError where error.code == .notFound {
            session.end(reason: "the account was deleted")
        } catch {
            logger.warning("could not re-check the account of a new shell", metadata: ["error": "\(error)"])
        }
        return session
    }

    /// Ends every session of `username`, telling attached clients `reason`; answers how many.
    @discardableResult
    public func end(username: String, reason: String) -> Int {
        let theirs = sessions.withLock { $0.values.filter { $0.username == username } }
        for session in theirs { session.end(reason: reason) }
        return theirs.count
    }

    /// Ends every session (server shutdown).
    public func shutdown() {
        let all = sessions.withLock { Array($0.values) }
        for session in all { session.terminate() }
    }

    private func remove(_ id: String) {
        // Finishing is reported more than once; only the removal that found the session counts.
        if sessions.withLock({ $0.removeValue(forKey: id) }) != nil { metrics.active.decrement() }
    }
}

extension LiveShell {
    /// The store row of a new session.
    static func record(
        id: String, username: String, workspace: String, blueprint: String, client: String, clientIP: String, start: Date,
        operation: ShellOperation, recordingPath: String?
    ) -> Store.ShellSession {
        Store.ShellSession(
            sessionID: id, username: username, workspace: workspace, blueprint: blueprint, client: client, clientIP: clientIP,
            startTime: start, operations: [operation], recordingPath: recordingPath)
    }
}
