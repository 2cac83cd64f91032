import KubeClient

/// How much a Kubernetes event matters to a starting workspace.
public enum EventSeverity: String, Sendable, Hashable, Comparable {
    /// Routine progress (Scheduled, Pulled, Started…).
    case info = "Normal"
    /// Worth showing; the pod may still come up (FailedScheduling, FailedMount…).
    case warning = "Warning"
    /// The pod will not come up without intervention (ErrImagePull, OOMKilled…).
    case critical = "Critical"

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    /// Orders by importance.
    public static func < (lhs: EventSeverity, rhs: EventSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// Classifies Kubernetes events about a workspace pod or its claims.
public enum EventClassifier {
    /// Pod event reasons that mean the pod will not start.
    public static let criticalPodReasons: Set<String> = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "OOMKilled"]
    /// Pod event reasons worth a warning.
    public static let warningPodReasons: Set<String> = [
        "FailedScheduling", "Unhealthy", "NodeNotReady", "FailedMount", "FailedAttachVolume", "FailedMapVolume",
    ]
    /// Claim event reasons that mean the pod will not start.
    public static let criticalClaimReasons: Set<String> = ["FailedBinding"]
    /// Claim event reasons worth a warning.
    public static let warningClaimReasons: Set<String> = ["ProvisioningFailed"]
    /// Mount-related reasons, for the "waiting for a volume" stuck check.
    public static let mountReasons: Set<String> = ["FailedMount", "FailedAttachVolume", "FailedMapVolume"]

    /// The severity of `event`, given the highest restart count among the pod's containers
    /// (`BackOff` is critical once a container has restarted twice: a crash loop).
    public static func severity(of event: Event, maxRestartCount: Int) -> EventSeverity {
        let reason = event.reason ?? ""
        switch event.involvedObject.kind {
        case "PersistentVolumeClaim":
            if criticalClaimReasons.contains(reason) { return .critical }
            if warningClaimReasons.contains(reason) { return .warning }
            return .info
        default:
            if criticalPodReasons.contains(reason) { return .critical }
            if reason == "BackOff" { return maxRestartCount >= 2 ? .critical : .warning }
            if warningPodReasons.contains(reason) { return .warning }
            return .info
        }
    }
}
