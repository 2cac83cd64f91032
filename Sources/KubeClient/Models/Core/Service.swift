/// A core/v1 Service.
public struct Service: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The desired service.
    public var spec: ServiceSpec?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Service",
        metadata: ObjectMeta = ObjectMeta(),
        spec: ServiceSpec? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(ServiceSpec.self, forKey: .spec)
    }
}

extension Service: KubeObject {
    /// `services`.
    public static var resourceType: ResourceType { .services }
}

/// How a service exposes pods.
public struct ServiceSpec: Codable, Hashable, Sendable {
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    /// The pods the service routes to.
    public var selector: [String: String]?
    /// The ports the service exposes.
    public var ports: [ServicePort]?
    /// The virtual IP, or `None` for a headless service.
    public var clusterIP: String?
    /// Whether DNS lists pods that are not ready.
    public var publishNotReadyAddresses: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        type: String? = nil,
        selector: [String: String]? = nil,
        ports: [ServicePort]? = nil,
        clusterIP: String? = nil,
        publishNotReadyAddresses: Bool? = nil
    ) {
        self.type = type
        self.selector = selector
        self.ports = ports
        self.clusterIP = clusterIP
        self.publishNotReadyAddresses = publishNotReadyAddresses
    }
}

/// A port a service exposes.
public struct ServicePort: Codable, Hashable, Sendable {
    /// The port's name.
    public var name: String?
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The service port.
    public var port: Int = 0
    /// The pod port number or name.
    public var targetPort: IntOrString?
    /// The node port for `NodePort` services.
    public var nodePort: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String? = nil,
        protocol: String? = nil,
        port: Int = 0,
        targetPort: IntOrString? = nil,
        nodePort: Int? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }

    enum CodingKeys: String, CodingKey {
        case name
        case `protocol`
        case port
        case targetPort
        case nodePort
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        self.protocol = try container.decodeIfPresent(String.self, forKey: .`protocol`)
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
        targetPort = try container.decodeIfPresent(IntOrString.self, forKey: .targetPort)
        nodePort = try container.decodeIfPresent(Int.self, forKey: .nodePort)
    }
}
