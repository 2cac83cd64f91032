/// A core/v1 Event reported about an object.
public struct Event: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The object the event is about.
    public var involvedObject: ObjectReference = ObjectReference()
    /// A CamelCase reason, e.g. `Pulling`, `FailedScheduling`.
    public var reason: String?
    /// A human-readable description.
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// How often the event occurred.
    public var count: Int?
    /// When the event first occurred.
    public var firstTimestamp: KubeTime?
    /// When the event last occurred.
    public var lastTimestamp: KubeTime?
    /// When the event occurred (newer reporters set only this).
    public var eventTime: MicroTime?
    /// The component that reported it (older reporters).
    public var source: EventSource?
    /// The controller that reported it, e.g. `kubelet`.
    public var reportingComponent: String?
    /// The instance of that controller, e.g. the node name.
    public var reportingInstance: String?
    /// What was done or failed.
    public var action: String?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Event",
        metadata: ObjectMeta = ObjectMeta(),
        involvedObject: ObjectReference = ObjectReference(),
        reason: String? = nil,
        message: String? = nil,
        type: String? = nil,
        count: Int? = nil,
        firstTimestamp: KubeTime? = nil,
        lastTimestamp: KubeTime? = nil,
        eventTime: MicroTime? = nil,
        source: EventSource? = nil,
        reportingComponent: String? = nil,
        reportingInstance: String? = nil,
        action: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.eventTime = eventTime
        self.source = source
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case involvedObject
        case reason
        case message
        case type
        case count
        case firstTimestamp
        case lastTimestamp
        case eventTime
        case source
        case reportingComponent
        case reportingInstance
        case action
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        involvedObject = try container.decodeIfPresent(ObjectReference.self, forKey: .involvedObject) ?? ObjectReference()
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        firstTimestamp = try container.decodeIfPresent(KubeTime.self, forKey: .firstTimestamp)
        lastTimestamp = try container.decodeIfPresent(KubeTime.self, forKey: .lastTimestamp)
        eventTime = try container.decodeIfPresent(MicroTime.self, forKey: .eventTime)
        source = try container.decodeIfPresent(EventSource.self, forKey: .source)
        reportingComponent = try container.decodeIfPresent(String.self, forKey: .reportingComponent)
        reportingInstance = try container.decodeIfPresent(String.self, forKey: .reportingInstance)
        action = try container.decodeIfPresent(String.self, forKey: .action)
    }
}

extension Event: KubeObject {
    /// `events`.
    public static var resourceType: ResourceType { .events }
}

/// The component that reported an event.
public struct EventSource: Codable, Hashable, Sendable {
    /// E.g. `kubelet`.
    public var component: String?
    /// The node name.
    public var host: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
