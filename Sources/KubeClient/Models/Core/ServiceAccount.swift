/// A core/v1 ServiceAccount.
public struct ServiceAccount: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// Whether pods mount a token by default.
    public var automountServiceAccountToken: Bool?
    /// Secrets associated with the account (legacy).
    public var secrets: [ObjectReference]?
    /// Secrets used to pull images.
    public var imagePullSecrets: [LocalObjectReference]?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "ServiceAccount",
        metadata: ObjectMeta = ObjectMeta(),
        automountServiceAccountToken: Bool? = nil,
        secrets: [ObjectReference]? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
        self.secrets = secrets
        self.imagePullSecrets = imagePullSecrets
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case automountServiceAccountToken
        case secrets
        case imagePullSecrets
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        secrets = try container.decodeIfPresent([ObjectReference].self, forKey: .secrets)
        imagePullSecrets = try container.decodeIfPresent([LocalObjectReference].self, forKey: .imagePullSecrets)
    }
}

extension ServiceAccount: KubeObject {
    /// `serviceAccounts`.
    public static var resourceType: ResourceType { .serviceAccounts }
}
