import CubicleModel

/// A core/v1 PersistentVolumeClaim.
public struct PersistentVolumeClaim: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The requested storage.
    public var spec: PersistentVolumeClaimSpec?
    /// The claim's observed state.
    public var status: PersistentVolumeClaimStatus?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "PersistentVolumeClaim",
        metadata: ObjectMeta = ObjectMeta(),
        spec: PersistentVolumeClaimSpec? = nil,
        status: PersistentVolumeClaimStatus? = nil
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
        spec = try container.decodeIfPresent(PersistentVolumeClaimSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PersistentVolumeClaimStatus.self, forKey: .status)
    }
}

extension PersistentVolumeClaim: KubeObject {
    /// `persistentVolumeClaims`.
    public static var resourceType: ResourceType { .persistentVolumeClaims }
}

/// The storage a claim requests.
public struct PersistentVolumeClaimSpec: Codable, Hashable, Sendable {
    /// E.g. `ReadWriteOnce`.
    public var accessModes: [String]?
    /// The requested size.
    public var resources: VolumeResourceRequirements?
    /// The storage class; nil means the default class.
    public var storageClassName: String?
    /// `Filesystem` or `Block`.
    public var volumeMode: String?
    /// The bound volume's name.
    public var volumeName: String?
    /// Labels the volume must have.
    public var selector: LabelSelector?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        accessModes: [String]? = nil,
        resources: VolumeResourceRequirements? = nil,
        storageClassName: String? = nil,
        volumeMode: String? = nil,
        volumeName: String? = nil,
        selector: LabelSelector? = nil
    ) {
        self.accessModes = accessModes
        self.resources = resources
        self.storageClassName = storageClassName
        self.volumeMode = volumeMode
        self.volumeName = volumeName
        self.selector = selector
    }
}

/// Storage requests and limits; quantities stay strings.
public struct VolumeResourceRequirements: Codable, Hashable, Sendable {
    /// The requested size, under `storage`.
    public var requests: [String: Quantity]?
    /// The most the claim may use.
    public var limits: [String: Quantity]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// The observed state of a claim.
public struct PersistentVolumeClaimStatus: Codable, Hashable, Sendable {
    /// `Pending`, `Bound` or `Lost`.
    public var phase: String?
    /// The access modes of the bound volume.
    public var accessModes: [String]?
    /// The bound volume's capacity.
    public var capacity: [String: Quantity]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        phase: String? = nil,
        accessModes: [String]? = nil,
        capacity: [String: Quantity]? = nil
    ) {
        self.phase = phase
        self.accessModes = accessModes
        self.capacity = capacity
    }
}
