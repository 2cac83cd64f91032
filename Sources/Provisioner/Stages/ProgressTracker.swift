import CubicleModel
import KubeClient

/// Turns a pod's progress into a percentage that never goes backwards: objects applied 10,
/// scheduled 20, volumes and init 40, pulling 50, containers created 60, started 75, ready 100.
public struct ProgressTracker: Sendable, Hashable {
    /// The highest percentage reported so far.
    public private(set) var reported: Int

    /// Creates a tracker that has reported `initial`.
    public init(initial: Int = 0) { reported = initial }

    /// The percentage `report` and `pod` amount to.
    public static func percentage(for report: StageReport, pod: Pod?) -> Int {
        switch report.stage {
        case .running: return 100
        case .pulling: return 50
        case .initializing: return 40
        case .scheduling: return pod == nil ? 0 : 10
        case .starting:
            let statuses = pod?.status?.containerStatuses ?? []
            if statuses.isEmpty { return (pod?.spec?.nodeName ?? "").isEmpty ? 10 : 20 }
            return statuses.contains { $0.state?.running != nil } ? 75 : 60
        case .stopping, .terminating, .stopped, .failed, .unknown:
            return 0
        }
    }

    /// Records a new percentage; returns it when it is higher than anything reported before.
    public mutating func advance(to percentage: Int) -> Int? {
        guard percentage > reported else { return nil }
        reported = percentage
        return percentage
    }
}
