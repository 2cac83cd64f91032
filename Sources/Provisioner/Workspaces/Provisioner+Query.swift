import Blueprints
import CubicleModel
import Foundation
import KubeClient

extension Provisioner {
    /// One workspace as the API shows it; `not_found` when it does not exist.
    public func workspace(_ name: String) async throws -> WorkspaceInfo {
        guard let info = try await info(for: name, snapshot: observer.snapshot(of: name)) else {
            throw ProvisionerError.workspaceNotFound(name)
        }
        return info
    }

    /// Every workspace, or those of one owner, by name.
    public func workspaces(ownedBy owner: String? = nil) async throws -> [WorkspaceInfo] {
        var result: [WorkspaceInfo] = []
        for name in observer.workspaceNames().sorted() {
            let snapshot = observer.snapshot(of: name)
            let user = snapshot.anchor?.metadata.labels?[Labels.user] ?? snapshot.pod?.metadata.labels?[Labels.user]
            if let owner, user != owner { continue }
            if let info = try await info(for: name, snapshot: snapshot) { result.append(info) }
        }
        return result
    }

    /// The owner of a workspace, or nil when it does not exist (for authorization).
    public func owner(of name: String) -> String? {
        let snapshot = observer.snapshot(of: name)
        return snapshot.anchor?.metadata.labels?[Labels.user] ?? snapshot.pod?.metadata.labels?[Labels.user]
    }

    /// How to reach a running workspace's sshd: `not_found` when it does not exist,
    /// `workspace_not_running` when its pod is not Running and ready.
    public func access(to name: String) throws -> WorkspaceAccess {
        let snapshot = observer.snapshot(of: name)
        guard let anchor = snapshot.anchor ?? nil, let username = anchor.metadata.labels?[Labels.user] else {
            if snapshot.pod == nil { throw ProvisionerError.workspaceNotFound(name) }
            throw ProvisionerError(.workspaceNotRunning, "workspace \(name) is still being provisioned")
        }
        let report = StageDeriver().derive(pod: snapshot.pod, events: [], stopRequested: false, now: time.now)
        guard report.stage == .running, let ip = snapshot.pod?.status?.podIP, !ip.isEmpty else {
            let status = snapshot.pod == nil ? "Stopped" : report.stage.rawValue
            throw ProvisionerError(.workspaceNotRunning, "workspace \(name) is not running (\(status))")
        }
        func text(_ key: String) -> String? { anchor.data?[key].map { String(decoding: $0, as: UTF8.self) } }
        guard let key = text(WorkspaceKeys.clientPrivateKey), let hostKey = text(WorkspaceKeys.hostPublicKey) else {
            throw ProvisionerError(.internalError, "workspace \(name) has no client key")
        }
        let port = Int(anchor.metadata.annotations?[WorkspaceKeys.sshPortAnnotation] ?? "") ?? 2222
        return WorkspaceAccess(
            host: ip, port: port, username: username, clientPrivateKey: key, hostPublicKey: hostKey,
            recordSessions: anchor.metadata.annotations?[WorkspaceKeys.recordSessionsAnnotation] == "true",
            blueprint: anchor.metadata.labels?[Labels.blueprint] ?? "")
    }

    private func info(for name: String, snapshot: ClusterObserver.Snapshot) async throws -> WorkspaceInfo? {
        guard snapshot.anchor != nil || snapshot.pod != nil else { return nil }
        let labels = snapshot.anchor?.metadata.labels ?? snapshot.pod?.metadata.labels ?? [:]
        let annotations = snapshot.anchor?.metadata.annotations ?? [:]
        let pod = snapshot.pod
        let running = activeJob(for: name)
        let latest: Job? = if let running { running } else { try? await store.jobs.jobs(forWorkspace: name).last }
        var status: WorkspaceStatus
        var message: String
        if let pod {
            let stopRequested = pod.metadata.annotations?[WorkspaceKeys.stopRequestedAnnotation] != nil
            let report = StageDeriver().derive(pod: pod, events: snapshot.events, stopRequested: stopRequested, now: time.now)
            status = report.stage.workspaceStatus
            message = report.message
            if report.stage == .running, let restarted = recentRestart(pod) {
                status = WorkspaceStatus.warning
                message = restarted
            }
        } else if let latest, latest.status == .completed, latest.result == .failed, latest.action == .provision || latest.action == .start {
            status = .error
            message = latest.events.last(where: { $0.type == .status })?.message ?? "the last start failed"
        } else {
            status = .stopped
            message = "stopped"
        }
        if let running, running.status == .running {
            switch running.action {
            case .stop where status != .stopped: status = .stopping
            case .delete: status = .terminating
            default: break
            }
        }
        let containers = pod?.status?.containerStatuses ?? []
        let lastFailure = containers.compactMap { $0.lastState?.terminated }.first.map {
            "\($0.reason ?? "Error"): exit code \($0.exitCode)\($0.message.map { " — " + $0 } ?? "")"
        }
        return WorkspaceInfo(
            name: name, username: labels[Labels.user] ?? "", blueprint: labels[Labels.blueprint] ?? "",
            organization: annotations[WorkspaceKeys.organizationAnnotation] ?? "", status: status, message: message,
            created: snapshot.anchor?.metadata.creationTimestamp?.date ?? pod?.metadata.creationTimestamp?.date,
            restarts: containers.map(\.restartCount).max() ?? 0, lastFailMessage: lastFailure ?? "",
            cpu: annotations[WorkspaceKeys.cpuAnnotation] ?? "", memory: annotations[WorkspaceKeys.memoryAnnotation] ?? "",
            namespace: settings.namespace, podIP: pod?.status?.podIP ?? "",
            jobId: latest?.id ?? labels[Labels.jobID] ?? "")
    }

    /// "restarted N times, last: …" when a container restarted within the last 10 minutes.
    private func recentRestart(_ pod: Pod) -> String? {
        for container in pod.status?.containerStatuses ?? [] {
            guard container.restartCount > 0, let finished = container.lastState?.terminated?.finishedAt?.date,
                time.now.timeIntervalSince(finished) < 600
            else { continue }
            return "restarted \(container.restartCount) times, last: \(container.lastState?.terminated?.reason ?? "Error")"
        }
        return nil
    }
}
