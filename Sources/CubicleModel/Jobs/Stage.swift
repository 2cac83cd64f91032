/// Where a workspace pod is in its life, derived from the pod and its events.
public enum Stage: String, Codable, Sendable, Hashable, CaseIterable {
    case scheduling = "Scheduling"
    case pulling = "Pulling"
    case initializing = "Initializing"
    case starting = "Starting"
    case running = "Running"
    case stopping = "Stopping"
    case terminating = "Terminating"
    case stopped = "Stopped"
    case failed = "Failed"
    case unknown = "Unknown"

    /// The status the API reports for a workspace in this stage.
    public var workspaceStatus: WorkspaceStatus {
        switch self {
        case .scheduling, .initializing, .starting: return .starting
        case .pulling: return .pulling
        case .running: return .running
        case .stopping: return .stopping
        case .terminating: return .terminating
        case .stopped: return .stopped
        case .failed: return .failing
        case .unknown: return .unknown
        }
    }
}

/// The workspace status of the API.
public enum WorkspaceStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case starting = "Starting"
    case pulling = "Pulling"
    case running = "Running"
    case warning = "Warning"
    case failing = "Failing"
    case stopping = "Stopping"
    case terminating = "Terminating"
    case stopped = "Stopped"
    case error = "Error"
    case unknown = "Unknown"
}
