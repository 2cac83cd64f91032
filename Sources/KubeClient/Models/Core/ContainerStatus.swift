/// The observed state of one container.
public struct ContainerStatus: Codable, Hashable, Sendable {
    /// The container's name.
    public var name: String = ""
    /// The current state.
    public var state: ContainerState?
    /// The state before the last restart.
    public var lastState: ContainerState?
    /// Whether the container passed its readiness check.
    public var ready: Bool = false
    /// Whether the container passed its startup check.
    public var started: Bool?
    /// How often the container restarted.
    public var restartCount: Int = 0
    /// The image it runs.
    public var image: String?
    /// The resolved image id.
    public var imageID: String?
    /// The runtime's id for the container.
    public var containerID: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String = "",
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool = false,
        started: Bool? = nil,
        restartCount: Int = 0,
        image: String? = nil,
        imageID: String? = nil,
        containerID: String? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.started = started
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
    }

    enum CodingKeys: String, CodingKey {
        case name
        case state
        case lastState
        case ready
        case started
        case restartCount
        case image
        case imageID
        case containerID
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        state = try container.decodeIfPresent(ContainerState.self, forKey: .state)
        lastState = try container.decodeIfPresent(ContainerState.self, forKey: .lastState)
        ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        started = try container.decodeIfPresent(Bool.self, forKey: .started)
        restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        image = try container.decodeIfPresent(String.self, forKey: .image)
        imageID = try container.decodeIfPresent(String.self, forKey: .imageID)
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
    }
}

/// The state of a container; at most one member is set.
public struct ContainerState: Codable, Hashable, Sendable {
    /// Not yet running.
    public var waiting: ContainerStateWaiting?
    /// Running.
    public var running: ContainerStateRunning?
    /// Finished.
    public var terminated: ContainerStateTerminated?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// A container that is not running yet.
public struct ContainerStateWaiting: Codable, Hashable, Sendable {
    /// Why, e.g. `ContainerCreating`, `ErrImagePull`, `CrashLoopBackOff`.
    public var reason: String?
    /// Details.
    public var message: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// A running container.
public struct ContainerStateRunning: Codable, Hashable, Sendable {
    /// When it started.
    public var startedAt: KubeTime?

    /// Creates a value; unset fields are omitted when encoded.
    public init(startedAt: KubeTime? = nil) {
        self.startedAt = startedAt
    }
}

/// A container that finished.
public struct ContainerStateTerminated: Codable, Hashable, Sendable {
    /// The exit status.
    public var exitCode: Int = 0
    /// The signal that ended it.
    public var signal: Int?
    /// Why, e.g. `Completed`, `Error`, `OOMKilled`.
    public var reason: String?
    /// Details.
    public var message: String?
    /// When it started.
    public var startedAt: KubeTime?
    /// When it finished.
    public var finishedAt: KubeTime?
    /// The runtime's id for the container.
    public var containerID: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        exitCode: Int = 0,
        signal: Int? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: KubeTime? = nil,
        finishedAt: KubeTime? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }

    enum CodingKeys: String, CodingKey {
        case exitCode
        case signal
        case reason
        case message
        case startedAt
        case finishedAt
        case containerID
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
        signal = try container.decodeIfPresent(Int.self, forKey: .signal)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        startedAt = try container.decodeIfPresent(KubeTime.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(KubeTime.self, forKey: .finishedAt)
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
    }
}
