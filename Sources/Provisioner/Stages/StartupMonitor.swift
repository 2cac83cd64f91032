import CubicleModel
import Foundation
import KubeClient

/// One thing a job's trail should record.
public struct TrailEntry: Sendable, Hashable {
    /// The kind of entry.
    public var type: JobEventType
    /// `Kind/name` of the object it is about.
    public var objectName: String
    /// The line for people.
    public var message: String
    /// Stage, severity or percentage, by type.
    public var status: String

    /// Creates an entry.
    public init(type: JobEventType, objectName: String, message: String, status: String) {
        self.type = type
        self.objectName = objectName
        self.message = message
        self.status = status
    }
}

/// What the monitor asks its caller to do after an observation.
public enum MonitorAction: Sendable, Hashable {
    /// Append this entry to the job's trail.
    case record(TrailEntry)
    /// The start is over: the job ends with this result.
    case finish(JobResult, message: String)
}

/// Follows a workspace pod from apply to Running (or Failed) — a plain state machine fed with
/// snapshots of the pod and its events; it returns what to record and when to stop. Every stage
/// change is one `status` entry, every Kubernetes event one `event` entry (per uid and count),
/// progress only grows, and known-fatal events end the start at once.
public struct StartupMonitor: Sendable {
    /// Settings of the monitor.
    public struct Settings: Sendable, Hashable {
        /// Give up after this many seconds, naming the stage.
        public var timeout: Double
        /// Say that a mount is slow after this many seconds with a mount warning.
        public var mountWarningAfter: Double
        /// Say that the start takes longer than expected after this many seconds.
        public var slowWarningAfter: Double

        /// Creates settings; the defaults follow k8shell (30 s, 60 s) with a 5 minute timeout.
        public init(timeout: Double = 300, mountWarningAfter: Double = 30, slowWarningAfter: Double = 60) {
            self.timeout = timeout
            self.mountWarningAfter = mountWarningAfter
            self.slowWarningAfter = slowWarningAfter
        }
    }

    /// The pod's name.
    public let podName: String
    /// When the start began.
    public let startedAt: Date
    /// The settings.
    public let settings: Settings
    private let deriver: StageDeriver
    private var lastStage: Stage?
    private var seenEvents: Set<String> = []
    private var progress: ProgressTracker
    private var warnedMount = false
    private var warnedSlow = false
    private var finished = false
    /// Kubernetes events up to this time were recorded before a restart; they are not repeated.
    private var recordedUntil: Date?

    /// Creates a monitor for `podName`, starting at `startedAt`. `trail` is what the job already
    /// recorded (after a restart): the monitor continues from its stage and progress and does not
    /// repeat events that happened before its last entry.
    public init(
        podName: String, startedAt: Date, settings: Settings = Settings(), deriver: StageDeriver = StageDeriver(),
        trail: [JobEvent] = [], progressFloor: Int = 0
    ) {
        self.podName = podName
        self.startedAt = startedAt
        self.settings = settings
        self.deriver = deriver
        let reported = trail.filter { $0.type == .progress }.compactMap { Int($0.status) }.max() ?? 0
        self.progress = ProgressTracker(initial: max(reported, progressFloor))
        self.lastStage = trail.last { $0.type == .status && Stage(rawValue: $0.status) != nil }.flatMap { Stage(rawValue: $0.status) }
        self.recordedUntil = trail.last?.timestamp
    }

    /// The percentage reported so far.
    public var reportedProgress: Int { progress.reported }

    /// The earliest time at which the monitor wants to look again even without a change.
    public func nextCheck(after now: Date) -> Date {
        var candidates = [startedAt.addingTimeInterval(settings.timeout)]
        if !warnedSlow { candidates.append(startedAt.addingTimeInterval(settings.slowWarningAfter)) }
        if !warnedMount { candidates.append(startedAt.addingTimeInterval(settings.mountWarningAfter)) }
        candidates.append(now.addingTimeInterval(deriver.pullingReportDelay))
        return candidates.filter { $0 > now }.min() ?? now.addingTimeInterval(1)
    }

    /// Feeds one snapshot; returns what to record and whether the start is over.
    public mutating func observe(pod: Pod?, events: [Event], now: Date) -> [MonitorAction] {
        guard !finished else { return [] }
        var actions: [MonitorAction] = []
        let uid = pod?.metadata.uid
        let relevant = events.filter { event in
            event.involvedObject.kind != "Pod" || uid == nil || event.involvedObject.uid == nil || event.involvedObject.uid == uid
        }
        let maxRestarts = (pod?.status?.containerStatuses ?? []).map(\.restartCount).max() ?? 0
        for event in relevant.sorted(by: StageDeriver.precedes) {
            let key = "\(event.metadata.uid ?? event.metadata.name ?? "")/\(event.count ?? 1)"
            guard seenEvents.insert(key).inserted else { continue }
            if let recordedUntil, StageDeriver.time(of: event) <= recordedUntil { continue }
            let severity = EventClassifier.severity(of: event, maxRestartCount: maxRestarts)
            let object = "\(event.involvedObject.kind ?? "Pod")/\(event.involvedObject.name ?? podName)"
            let message = [event.reason, event.message].compactMap { $0 }.joined(separator: ": ")
            actions.append(.record(TrailEntry(type: .event, objectName: object, message: message, status: severity.rawValue)))
        }

        // The pod was applied before monitoring began; not seeing it yet means it is still on its
        // way to the scheduler, not that its state is unknown.
        let report = pod == nil
            ? StageReport(stage: .scheduling, message: "waiting for the pod to appear")
            : deriver.derive(pod: pod, events: relevant, stopRequested: false, now: now)
        if report.stage != lastStage, report.stage != .unknown {
            lastStage = report.stage
            actions.append(.record(TrailEntry(type: .status, objectName: "Pod/\(podName)", message: report.message, status: report.stage.rawValue)))
        }
        if let percentage = progress.advance(to: ProgressTracker.percentage(for: report, pod: pod)) {
            actions.append(.record(TrailEntry(type: .progress, objectName: "Pod/\(podName)", message: "\(percentage)%", status: String(percentage))))
        }

        switch report.stage {
        case .running:
            finished = true
            actions.append(.finish(.succeeded, message: report.message))
            return actions
        case .failed, .stopped, .terminating, .stopping:
            finished = true
            actions.append(.finish(.failed, message: report.message))
            return actions
        default:
            break
        }

        let elapsed = now.timeIntervalSince(startedAt)
        if elapsed >= settings.timeout {
            finished = true
            let stage = lastStage ?? report.stage
            actions.append(.finish(.failed, message: "timed out after \(StageDeriver.duration(settings.timeout)) in stage \(stage.rawValue): \(report.message)"))
            return actions
        }
        if !warnedMount, elapsed >= settings.mountWarningAfter,
            let mount = relevant.last(where: { EventClassifier.mountReasons.contains($0.reason ?? "") })
        {
            warnedMount = true
            actions.append(.record(TrailEntry(
                type: .status, objectName: "Pod/\(podName)",
                message: "still waiting for a volume: \(mount.message ?? mount.reason ?? "")", status: "Warning")))
        }
        if !warnedSlow, elapsed >= settings.slowWarningAfter {
            warnedSlow = true
            actions.append(.record(TrailEntry(
                type: .status, objectName: "Pod/\(podName)",
                message: "this is taking longer than expected (\(report.stage.rawValue): \(report.message))", status: "Warning")))
        }
        return actions
    }
}
