/// The observed state of a pod.
public struct PodStatus: Codable, Hashable, Sendable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    /// Conditions such as `PodScheduled` and `Ready`.
    public var conditions: [PodCondition]?
    /// The init containers' states.
    public var initContainerStatuses: [ContainerStatus]?
    /// The main containers' states.
    public var containerStatuses: [ContainerStatus]?
    /// The pod's primary IP address.
    public var podIP: String?
    /// All of the pod's IP addresses.
    public var podIPs: [PodIP]?
    /// The IP address of the pod's node.
    public var hostIP: String?
    /// A CamelCase reason for the pod's state, e.g. `Evicted`.
    public var reason: String?
    /// A human-readable message about the pod's state.
    public var message: String?
    /// When the kubelet accepted the pod.
    public var startTime: KubeTime?
    /// The quality-of-service class.
    public var qosClass: String?
    /// The node the scheduler nominated for preemption.
    public var nominatedNodeName: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        phase: String? = nil,
        conditions: [PodCondition]? = nil,
        initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        hostIP: String? = nil,
        reason: String? = nil,
        message: String? = nil,
        startTime: KubeTime? = nil,
        qosClass: String? = nil,
        nominatedNodeName: String? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.podIP = podIP
        self.podIPs = podIPs
        self.hostIP = hostIP
        self.reason = reason
        self.message = message
        self.startTime = startTime
        self.qosClass = qosClass
        self.nominatedNodeName = nominatedNodeName
    }
}

/// One condition of a pod.
public struct PodCondition: Codable, Hashable, Sendable {
    /// The condition type, e.g. `Ready`.
    public var type: String = ""
    /// `True`, `False` or `Unknown`.
    public var status: String = ""
    /// A CamelCase reason for the last transition.
    public var reason: String?
    /// A human-readable message about the last transition.
    public var message: String?
    /// When the condition was last probed.
    public var lastProbeTime: KubeTime?
    /// When the status last changed.
    public var lastTransitionTime: KubeTime?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        type: String = "",
        status: String = "",
        reason: String? = nil,
        message: String? = nil,
        lastProbeTime: KubeTime? = nil,
        lastTransitionTime: KubeTime? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
    }

    enum CodingKeys: String, CodingKey {
        case type
        case status
        case reason
        case message
        case lastProbeTime
        case lastTransitionTime
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        lastProbeTime = try container.decodeIfPresent(KubeTime.self, forKey: .lastProbeTime)
        lastTransitionTime = try container.decodeIfPresent(KubeTime.self, forKey: .lastTransitionTime)
    }
}

/// One IP address of a pod.
public struct PodIP: Codable, Hashable, Sendable {
    /// The address.
    public var ip: String = ""

    /// Creates a value; unset fields are omitted when encoded.
    public init(ip: String = "") {
        self.ip = ip
    }

    enum CodingKeys: String, CodingKey {
        case ip
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ip = try container.decodeIfPresent(String.self, forKey: .ip) ?? ""
    }
}
