import CubicleModel
import Foundation
import KubeClient

/// Derives a workspace pod's stage from the pod and the events about it and its claims — a pure
/// function, run on every pod or event change.
public struct StageDeriver: Sendable {
    /// Container waiting reasons that mean the container will not start.
    public static let hardWaitingReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError",
        "CreateContainerError", "RunContainerError", "OOMKilled", "CrashLoopBackOff",
    ]

    /// How long a pull must last before it is reported, so cached pulls stay invisible.
    public var pullingReportDelay: Double

    /// Creates a deriver.
    public init(pullingReportDelay: Double = 8) {
        self.pullingReportDelay = pullingReportDelay
    }

    /// The stage of `pod` at `now`. `events` are those about this pod instance (same uid) and its
    /// claims; `stopRequested` says Cubicle itself asked for the pod to go (a soft stop).
    public func derive(pod: Pod?, events: [Event], stopRequested: Bool, now: Date) -> StageReport {
        guard let pod else { return StageReport(stage: .unknown, message: "pod not found") }
        if pod.metadata.deletionTimestamp != nil {
            return stopRequested
                ? StageReport(stage: .stopping, message: "stopping")
                : StageReport(stage: .terminating, message: "terminating")
        }
        let status = pod.status
        switch status?.phase {
        case "Succeeded":
            return StageReport(stage: .stopped, message: "the workspace process exited")
        case "Failed":
            let reason = status?.reason ?? "Failed"
            return StageReport(stage: .failed, message: "\(reason): \(status?.message ?? "the pod failed")", reason: reason)
        default:
            break
        }
        if (pod.spec?.nodeName ?? "").isEmpty {
            let condition = status?.conditions?.first { $0.type == "PodScheduled" && $0.status == "False" }
            if let condition, let reason = condition.reason {
                return StageReport(stage: .scheduling, message: "\(reason): \(condition.message ?? "waiting for a node")")
            }
            return StageReport(stage: .scheduling, message: "waiting for a node")
        }
        let maxRestarts = ((status?.containerStatuses ?? []) + (status?.initContainerStatuses ?? []))
            .map(\.restartCount).max() ?? 0
        if let pulling = activePull(events: events, now: now) {
            return pulling
        }
        let critical = events.filter { EventClassifier.severity(of: $0, maxRestartCount: maxRestarts) == .critical }
        if let event = critical.max(by: { Self.time(of: $0) < Self.time(of: $1) }) {
            let reason = event.reason ?? "Failed"
            return StageReport(stage: .failed, message: "\(reason): \(event.message ?? "")", reason: reason)
        }
        for (index, container) in (pod.spec?.initContainers ?? []).enumerated() {
            let state = status?.initContainerStatuses?.first { $0.name == container.name }
            if let terminated = state?.state?.terminated {
                if terminated.exitCode == 0 { continue }
                let reason = terminated.reason ?? "Error"
                return StageReport(
                    stage: .failed, message: "init container \(container.name) exited with code \(terminated.exitCode) (\(reason))",
                    reason: reason)
            }
            if let waiting = state?.state?.waiting, let reason = waiting.reason, Self.hardWaitingReasons.contains(reason) {
                return StageReport(stage: .failed, message: "\(reason): \(waiting.message ?? container.name)", reason: reason)
            }
            let total = pod.spec?.initContainers?.count ?? 0
            return StageReport(stage: .initializing, message: "running init container \(index + 1)/\(total): \(container.name)")
        }
        let statuses = status?.containerStatuses ?? []
        if statuses.isEmpty {
            return StageReport(stage: .starting, message: "creating containers")
        }
        for container in statuses {
            if let waiting = container.state?.waiting, let reason = waiting.reason,
                Self.hardWaitingReasons.contains(reason), reason != "CrashLoopBackOff" || container.restartCount >= 2
            {
                return StageReport(stage: .failed, message: "\(reason): \(waiting.message ?? container.name)", reason: reason)
            }
        }
        if let notReady = statuses.first(where: { !$0.ready }) {
            if notReady.state?.running != nil {
                return StageReport(stage: .starting, message: "container \(notReady.name) started, waiting for sshd")
            }
            let reason = notReady.state?.waiting?.reason ?? "ContainerCreating"
            return StageReport(stage: .starting, message: "container \(notReady.name): \(reason)")
        }
        let created = pod.metadata.creationTimestamp?.date ?? now
        return StageReport(stage: .running, message: "ready, provisioned in \(Self.duration(now.timeIntervalSince(created)))")
    }

    /// A container whose latest pull started long enough ago and has neither finished nor failed.
    func activePull(events: [Event], now: Date) -> StageReport? {
        var latest: [String: Event] = [:]
        for event in events where event.involvedObject.kind == "Pod" {
            guard let reason = event.reason, ["Pulling", "Pulled", "Failed", "ErrImagePull", "ImagePullBackOff", "BackOff"].contains(reason)
            else { continue }
            let path = event.involvedObject.fieldPath ?? ""
            if let current = latest[path], Self.time(of: current) > Self.time(of: event) { continue }
            latest[path] = event
        }
        let pulling = latest.values.filter { $0.reason == "Pulling" }
            .filter { now.timeIntervalSince(Self.time(of: $0)) >= pullingReportDelay }
        guard let event = pulling.min(by: { Self.time(of: $0) < Self.time(of: $1) }) else { return nil }
        return StageReport(stage: .pulling, message: event.message ?? "pulling image")
    }

    /// When an event last happened.
    /// Event order: by time, then (same second) by resourceVersion, which grows with each write.
    static func precedes(_ a: Event, _ b: Event) -> Bool {
        let (ta, tb) = (time(of: a), time(of: b))
        if ta != tb { return ta < tb }
        let (ra, rb) = (Int(a.metadata.resourceVersion ?? "") ?? 0, Int(b.metadata.resourceVersion ?? "") ?? 0)
        if ra != rb { return ra < rb }
        return (a.metadata.name ?? "") < (b.metadata.name ?? "")
    }

    static func time(of event: Event) -> Date {
        event.lastTimestamp?.date ?? event.eventTime?.date ?? event.firstTimestamp?.date
            ?? event.metadata.creationTimestamp?.date ?? .distantPast
    }

    /// `1m12s`, `850ms`, `3s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(max(0, Int(seconds * 1000)))ms" }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        return "\(whole / 60)m\(whole % 60)s"
    }
}
