import Blueprints
import CubicleModel
import Foundation
import KubeClient
import Logging
import Store

/// Carries out one job: takes the workspace's lease, acts on the cluster idempotently (so a job
/// resumed after a crash simply runs again), follows the pod through the shared observer and
/// records the trail. Every path ends by completing the job.
struct JobRunner: Sendable {
    let client: KubeClient
    let observer: ClusterObserver
    let trail: JobTrail
    let lease: WorkspaceLease
    let settings: ProvisionerSettings
    let time: any TimeSource
    let logger: Logger
    /// Produces the objects to apply for a provision or start (nil when the blueprint or owner is
    /// gone: the job fails with the error).
    let render: @Sendable (Job) async throws -> WorkspaceResources
    /// Runs after a workspace with init scripts became Running; returns warnings for the trail.
    let afterStart: @Sendable (String) async -> [TrailEntry]
    /// Job outcomes and start durations for `/metrics`.
    let metrics: JobMetrics

    func run(_ job: Job) async {
        let workspace = job.workspaceName
        var result: JobResult = .failed
        // Every action is idempotent, so a transient failure (the API server erring, throttling
        // or unreachable, a lost optimistic-concurrency race) is retried from the top with
        // backoff until the job's own deadline; only then, or on a real error, does it fail.
        let deadline = job.createdAt.addingTimeInterval(settings.monitor.timeout)
        var attempt = 0
        while true {
            do {
                result = try await pass(job)
                break
            } catch is CancellationError {
                await note(job, type: .status, status: Stage.failed.rawValue, message: "superseded by a newer job or a shutdown")
                break
            } catch where Self.isTransient(error) && time.now < deadline {
                logger.info("transient failure; retrying the job", metadata: ["job": "\(job.id)", "attempt": "\(attempt)", "error": "\(error)"])
                do {
                    try await time.sleep(seconds: Backoff.controller.delay(attempt: attempt))
                } catch {
                    await note(job, type: .status, status: Stage.failed.rawValue, message: "superseded by a newer job or a shutdown")
                    break
                }
                attempt += 1
            } catch {
                await note(job, type: .status, status: Stage.failed.rawValue, message: "\(error)")
                break
            }
        }
        await lease.release(workspace)
        do {
            try await trail.complete(job.id, result: result)
            metrics.completed(job, result: result, at: time.now)
        } catch {
            logger.error("could not complete job", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// One pass at the job under the workspace's lease.
    private func pass(_ job: Job) async throws -> JobResult {
        let workspace = job.workspaceName
        try await lease.acquire(workspace) { message in
            await self.note(job, type: .status, status: "Pending", message: message)
        }
        let renewal = Task { await lease.renew(workspace) }
        defer { renewal.cancel() }
        switch job.action {
        case .provision, .start: return try await start(job)
        case .stop: return try await stop(job)
        case .delete: return try await delete(job)
        }
    }

    /// Whether a failure is worth another attempt: the cluster was unreachable, failed with a
    /// 5xx, throttled us, or another writer won an update race.
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? KubeError else { return false }
        if error.isTooManyRequests || error.isConflict || error.code == .clusterUnavailable { return true }
        if let status = error.effectiveStatus { return (500...599).contains(status) }
        return false
    }

    // MARK: - Provision and start

    private func start(_ job: Job) async throws -> JobResult {
        let resources = try await render(job)
        let objects = resources.objects
        var current = observer.snapshot(of: job.workspaceName)
        for object in objects.dropLast() {
            try await apply(object)
        }
        if !job.events.contains(where: { $0.type == .progress }) {
            await note(job, type: .progress, status: "10", message: "10%")
        }
        // A pod still terminating from a stop must go before its successor can be created.
        if let pod = current.pod, pod.metadata.deletionTimestamp != nil {
            await note(job, type: .status, status: Stage.stopping.rawValue, message: "waiting for the previous pod to terminate")
            try await waitUntil(job.workspaceName, deadline: time.now.addingTimeInterval(settings.stopTimeout)) { $0.pod == nil }
            current = observer.snapshot(of: job.workspaceName)
        }
        if current.pod == nil, let pod = objects.last {
            try await apply(pod)
        }
        return try await monitorStart(job, hasInitScripts: Self.hasInitScripts(resources))
    }

    /// Whether the rendered ConfigMap lists init scripts (only then is there an outcome to read).
    static func hasInitScripts(_ resources: WorkspaceResources) -> Bool {
        resources.objects.contains { $0["kind"]?.stringValue == "ConfigMap" && $0[path: ["data", "init.list"]] != nil }
    }

    private func monitorStart(_ job: Job, hasInitScripts: Bool) async throws -> JobResult {
        var monitor = StartupMonitor(
            podName: job.workspaceName, startedAt: job.createdAt, settings: settings.monitor,
            trail: job.events, progressFloor: 10)
        while true {
            try Task.checkCancellation()
            let version = observer.changes.version(of: job.workspaceName)
            let snapshot = observer.snapshot(of: job.workspaceName)
            for action in monitor.observe(pod: snapshot.pod, events: snapshot.events, now: time.now) {
                switch action {
                case .record(let entry):
                    try await trail.record(entry, to: job.id)
                case .finish(let result, let message):
                    if result == .succeeded {
                        if hasInitScripts {
                            for warning in await afterStart(job.workspaceName) { try await trail.record(warning, to: job.id) }
                        }
                    } else {
                        logger.info("start failed", metadata: ["workspace": "\(job.workspaceName)", "reason": "\(message)"])
                        try await trail.record(
                            TrailEntry(type: .status, objectName: "Pod/\(job.workspaceName)", message: message, status: Stage.failed.rawValue),
                            to: job.id)
                    }
                    return result
                }
            }
            await observer.changes.waitForChange(
                of: job.workspaceName, after: version, until: monitor.nextCheck(after: time.now), time: time)
        }
    }

    // MARK: - Stop and delete

    private func stop(_ job: Job) async throws -> JobResult {
        let name = job.workspaceName
        if let pod = observer.snapshot(of: name).pod {
            await note(job, type: .status, status: Stage.stopping.rawValue, message: "stopping the workspace pod; volumes stay")
            if pod.metadata.annotations?[WorkspaceKeys.stopRequestedAnnotation] == nil {
                _ = try? await client.mergePatch(
                    Pod.self, name: name, namespace: settings.namespace,
                    patch: ["metadata": ["annotations": [.init(stringLiteral: WorkspaceKeys.stopRequestedAnnotation): "true"]]])
            }
            try await deletePod(name)
            try await waitForPodGone(job)
        }
        await note(job, type: .status, status: Stage.stopped.rawValue, message: "stopped; start it again with POST /api/v1/workspaces")
        return .succeeded
    }

    private func delete(_ job: Job) async throws -> JobResult {
        let name = job.workspaceName
        await note(job, type: .status, status: Stage.terminating.rawValue, message: "deleting the workspace and its volumes")
        if observer.snapshot(of: name).pod != nil { try await deletePod(name) }
        let selector = "\(Labels.workspace)=\(name)"
        for resource in [ResourceType.secrets, .configMaps, .networkPolicies] {
            try await client.deleteCollection(resource, namespace: settings.namespace, labelSelector: selector)
        }
        try await client.deleteCollection(
            ResourceType.persistentVolumeClaims, namespace: settings.namespace,
            labelSelector: "\(selector),!\(Labels.retain)")
        try await waitForPodGone(job)
        // The API answers from the observer: the job ends once the observer has seen the anchor
        // Secret go too, so a GET after a finished delete answers 404 (its watch can lag the pods').
        do {
            try await waitUntil(name, deadline: time.now.addingTimeInterval(settings.stopTimeout)) { $0.anchor == nil && $0.pod == nil }
        } catch let error as ProvisionerError where error.code == .timeout {
            logger.warning("the deleted workspace's Secret is still in the cluster view", metadata: ["workspace": "\(name)"])
        }
        _ = try? await client.delete(ResourceType.leases, name: WorkspaceLease.name(for: name), namespace: settings.namespace)
        await note(job, type: .status, status: "Deleted", message: "the workspace is gone")
        return .succeeded
    }

    private func deletePod(_ name: String) async throws {
        do {
            try await client.delete(Pod.self, name: name, namespace: settings.namespace)
        } catch let error as KubeError where error.isNotFound {}
    }

    /// Waits for the pod to disappear; after `stopTimeout` it is deleted without grace.
    private func waitForPodGone(_ job: Job) async throws {
        let deadline = time.now.addingTimeInterval(settings.stopTimeout)
        do {
            try await waitUntil(job.workspaceName, deadline: deadline) { $0.pod == nil }
        } catch let error as ProvisionerError where error.code == .timeout {
            await note(job, type: .status, status: "Warning", message: "the pod did not stop in time; removing it without grace")
            do {
                try await client.delete(
                    Pod.self, name: job.workspaceName, namespace: settings.namespace, options: DeleteOptions(gracePeriodSeconds: 0))
            } catch let error as KubeError where error.isNotFound {}
            try await waitUntil(job.workspaceName, deadline: time.now.addingTimeInterval(settings.stopTimeout)) { $0.pod == nil }
        }
    }

    // MARK: - Helpers

    private func apply(_ object: JSONValue) async throws {
        _ = try await client.apply(object, namespace: settings.namespace, options: ApplyOptions(fieldManager: "cubicle", force: true))
    }

    private func waitUntil(
        _ workspace: String, deadline: Date, _ condition: (ClusterObserver.Snapshot) -> Bool
    ) async throws {
        while true {
            try Task.checkCancellation()
            let version = observer.changes.version(of: workspace)
            if condition(observer.snapshot(of: workspace)) { return }
            guard time.now < deadline else { throw ProvisionerError(.timeout, "timed out waiting for workspace \(workspace)") }
            await observer.changes.waitForChange(of: workspace, after: version, until: deadline, time: time)
        }
    }

    private func note(_ job: Job, type: JobEventType, status: String, message: String) async {
        do {
            try await trail.record(
                TrailEntry(type: type, objectName: "Pod/\(job.workspaceName)", message: message, status: status), to: job.id)
        } catch {
            logger.warning("could not record job event", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }
}
