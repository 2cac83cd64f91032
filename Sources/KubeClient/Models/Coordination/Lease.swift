/// A coordination.k8s.io/v1 Lease, used for leader election.
public struct Lease: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The lease's state.
    public var spec: LeaseSpec?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "coordination.k8s.io/v1",
        kind: String? = "Lease",
        metadata: ObjectMeta = ObjectMeta(),
        spec: LeaseSpec? = nil
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
        spec = try container.decodeIfPresent(LeaseSpec.self, forKey: .spec)
    }
}

extension Lease: KubeObject {
    /// `leases`.
    public static var resourceType: ResourceType { .leases }
}

/// Who holds a lease and until when.
public struct LeaseSpec: Codable, Hashable, Sendable {
    /// The current holder.
    public var holderIdentity: String?
    /// How long a holder keeps the lease without renewing it.
    public var leaseDurationSeconds: Int?
    /// When the current holder acquired it.
    public var acquireTime: MicroTime?
    /// When the current holder last renewed it.
    public var renewTime: MicroTime?
    /// How often the lease changed hands.
    public var leaseTransitions: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        holderIdentity: String? = nil,
        leaseDurationSeconds: Int? = nil,
        acquireTime: MicroTime? = nil,
        renewTime: MicroTime? = nil,
        leaseTransitions: Int? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}
