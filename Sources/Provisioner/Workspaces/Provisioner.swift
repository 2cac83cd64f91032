import Blueprints
import CubicleMetrics
import CubicleModel
import Foundation
import KubeClient
import Logging
import Store
import Synchronization

/// Settings of the provisioner.
public struct ProvisionerSettings: Sendable, Hashable {
    /// The namespace workspaces live in.
    public var namespace: String
    /// Startup monitoring (timeout, stuck checks).
    public var monitor: StartupMonitor.Settings
    /// How long a stop or delete waits for the pod to go before removing it without grace.
    public var stopTimeout: Double
    /// The identity this replica holds workspace leases under (stable across restarts).
    public var holderIdentity: String
    /// Workspace lease duration in seconds.
    public var leaseDurationSeconds: Int
    /// How many jobs run at once; more wait their turn.
    public var maxConcurrentJobs: Int

    /// Creates settings.
    public init(
        namespace: String, monitor: StartupMonitor.Settings = .init(), stopTimeout: Double = 120,
        holderIdentity: String, leaseDurationSeconds: Int = 30, maxConcurrentJobs: Int = 64
    ) {
        self.namespace = namespace
        self.monitor = monitor
        self.stopTimeout = stopTimeout
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.maxConcurrentJobs = maxConcurrentJobs
    }
}

/// Provisions, starts, stops and deletes workspaces as jobs, and answers what a workspace is.
/// Kubernetes is the source of truth for workspaces; the store keeps jobs. One shared observer
/// watches the cluster; jobs on one workspace never overlap (in process: one active job per
/// workspace; across replicas: a Lease).
public final class Provisioner: Sendable {
    let client: KubeClient
    let store: any CubicleStore
    let observer: ClusterObserver
    let trail: JobTrail
    let renderer: WorkspaceRenderer
    let catalog: @Sendable () -> BlueprintCatalog
    let settings: ProvisionerSettings
    let time: any TimeSource
    let logger: Logger
    let afterStart: @Sendable (String) async -> [TrailEntry]
    let slots: Slots
    let metrics: JobMetrics
    private let active = Mutex<[String: ActiveJob]>([:])
    /// The API URL rendered into workspaces when it is only known once the server listens.
    let workspaceAPIURL = Mutex<String?>(nil)

    struct ActiveJob {
        var job: Job
        var task: Task<Void, Never>?
    }

    /// Creates a provisioner. `catalog` returns the current blueprints; `afterStart` runs once a
    /// workspace with init scripts is Running and returns trail warnings (init script failures).
    /// Job outcomes and start durations are registered in `metrics`.
    public init(
        client: KubeClient, store: any CubicleStore, renderer: WorkspaceRenderer,
        catalog: @escaping @Sendable () -> BlueprintCatalog, settings: ProvisionerSettings,
        time: any TimeSource = SystemTimeSource(), logger: Logger,
        afterStart: @escaping @Sendable (String) async -> [TrailEntry] = { _ in [] },
        metrics: MetricsRegistry = MetricsRegistry()
    ) {
        self.client = client
        self.store = store
        self.renderer = renderer
        self.catalog = catalog
        self.settings = settings
        self.time = time
        self.logger = logger
        self.afterStart = afterStart
        self.observer = ClusterObserver(client: client, namespace: settings.namespace, logger: logger)
        self.trail = JobTrail(jobs: store.jobs, time: time)
        self.slots = Slots(limit: settings.maxConcurrentJobs)
        self.metrics = JobMetrics(registry: metrics)
        Self.registerWorkspaceGauge(in: metrics) { [weak self] in self?.workspaceStatusCounts() ?? [:] }
    }

    /// Watches the cluster, resumes every unfinished job, and runs until cancelled; jobs still
    /// running at cancellation stay unfinished in the store and resume on the next start.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.observer.run() }
            try await observer.waitUntilSynced()
            try await resumeUnfinishedJobs()
            try await group.next()
        }
    }

    /// Whether the shared watches are established.
    public var isReady: Bool { observer.isSynced }

    /// Waits (up to `timeout` seconds) until the shared watches have listed the cluster, so that
    /// admission decisions (provision or start, running or not) are made on real state.
    func awaitSync(timeout: Double = 15) async throws {
        guard await observer.waitUntilSynced(until: time.now.addingTimeInterval(timeout), time: time) else {
            throw ProvisionerError(.clusterUnavailable, "not yet in sync with the Kubernetes API; try again shortly")
        }
    }

    /// The job trail, for followers of a job.
    public var jobTrail: JobTrail { trail }

    /// Restarts every job the store still has as running (after a crash or a restart).
    func resumeUnfinishedJobs() async throws {
        for job in try await store.jobs.unfinished() {
            // A request admitted while the watches were syncing is already running here.
            if activeJob(for: job.workspaceName)?.id == job.id { continue }
            let full = (try? await store.jobs.get(id: job.id)) ?? job
            logger.info("resuming job", metadata: ["job": "\(job.id)", "workspace": "\(job.workspaceName)", "action": "\(job.action)"])
            launch(full)
        }
    }

    /// Claims the workspace for `job`; `already_exists` when a provision or start holds it,
    /// `conflict` for any other job in progress.
    func reserve(_ job: Job) throws {
        try active.withLock { active in
            if let holder = active[job.workspaceName]?.job {
                switch holder.action {
                case .provision, .start:
                    throw ProvisionerError(.alreadyExists, "workspace \(job.workspaceName) is being provisioned (job \(holder.id))")
                case .stop, .delete:
                    throw ProvisionerError(.conflict, "workspace \(job.workspaceName) is being \(holder.action == .stop ? "stopped" : "deleted") (job \(holder.id))")
                }
            }
            active[job.workspaceName] = ActiveJob(job: job, task: nil)
        }
    }

    /// Gives up a reservation that never launched.
    func release(_ job: Job) {
        active.withLock { active in
            if active[job.workspaceName]?.job.id == job.id { active.removeValue(forKey: job.workspaceName) }
        }
    }

    /// Starts a job's runner and tracks it as the workspace's active job.
    func launch(_ job: Job) {
        let runner = JobRunner(
            client: client, observer: observer, trail: trail,
            lease: WorkspaceLease(
                client: client, namespace: settings.namespace, holder: settings.holderIdentity,
                duration: settings.leaseDurationSeconds, time: time, logger: logger),
            settings: settings, time: time, logger: logger,
            render: { [self] job in try await self.resources(for: job) },
            afterStart: afterStart, metrics: metrics)
        active.withLock { $0[job.workspaceName] = ActiveJob(job: job, task: nil) }
        let task = Task {
            await slots.withSlot { await runner.run(job) }
            active.withLock { active in
                if active[job.workspaceName]?.job.id == job.id { active[job.workspaceName] = nil }
            }
        }
        active.withLock { active in
            if active[job.workspaceName]?.job.id == job.id { active[job.workspaceName]?.task = task }
        }
    }

    /// The job currently acting on `workspace`, if any.
    func activeJob(for workspace: String) -> Job? {
        active.withLock { $0[workspace]?.job }
    }

    /// Cancels the job acting on `workspace` (a stop or delete supersedes a start).
    func cancelActiveJob(for workspace: String) -> Task<Void, Never>? {
        active.withLock { active in
            let task = active[workspace]?.task
            task?.cancel()
            return task
        }
    }
}
