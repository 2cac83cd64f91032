/// A core/v1 Namespace.
public struct Namespace: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The desired state.
    public var spec: NamespaceSpec?
    /// The observed state.
    public var status: NamespaceStatus?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Namespace",
        metadata: ObjectMeta = ObjectMeta(),
        spec: NamespaceSpec? = nil,
        status: NamespaceStatus? = nil
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
        spec = try container.decodeIfPresent(NamespaceSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(NamespaceStatus.self, forKey: .status)
    }
}

extension Namespace: KubeObject {
    /// `namespaces`.
    public static var resourceType: ResourceType { .namespaces }
}

/// The desired state of a namespace.
public struct NamespaceSpec: Codable, Hashable, Sendable {
    /// Finalizers that must finish before the namespace is removed.
    public var finalizers: [String]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

/// The observed state of a namespace.
public struct NamespaceStatus: Codable, Hashable, Sendable {
    /// `Active` or `Terminating`.
    public var phase: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(phase: String? = nil) {
        self.phase = phase
    }
}
