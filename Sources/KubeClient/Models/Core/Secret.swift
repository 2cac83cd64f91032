import Foundation

/// A core/v1 Secret; `data` holds the decoded bytes (base64 on the wire).
public struct Secret: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The secret values.
    public var data: [String: Data]?
    /// Write-only plain-text values merged into `data` by the server.
    public var stringData: [String: String]?
    /// The secret type, e.g. `Opaque`.
    public var type: String?
    /// Whether the data can no longer change.
    public var immutable: Bool?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Secret",
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: Data]? = nil,
        stringData: [String: String]? = nil,
        type: String? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case data
        case stringData
        case type
        case immutable
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        data = try container.decodeIfPresent([String: Data].self, forKey: .data)
        stringData = try container.decodeIfPresent([String: String].self, forKey: .stringData)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}

extension Secret: KubeObject {
    /// `secrets`.
    public static var resourceType: ResourceType { .secrets }
}
