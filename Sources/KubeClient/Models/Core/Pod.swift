/// A core/v1 Pod.
public struct Pod: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The desired state.
    public var spec: PodSpec?
    /// The observed state.
    public var status: PodStatus?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Pod",
        metadata: ObjectMeta = ObjectMeta(),
        spec: PodSpec? = nil,
        status: PodStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
        case status
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PodStatus.self, forKey: .status)
    }
}

extension Pod: KubeObject {
    /// `pods`.
    public static var resourceType: ResourceType { .pods }
}
