import Foundation

/// A core/v1 ConfigMap.
public struct ConfigMap: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// UTF-8 values.
    public var data: [String: String]?
    /// Binary values (base64 on the wire).
    public var binaryData: [String: Data]?
    /// Whether the data can no longer change.
    public var immutable: Bool?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "ConfigMap",
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil,
        binaryData: [String: Data]? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case data
        case binaryData
        case immutable
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        binaryData = try container.decodeIfPresent([String: Data].self, forKey: .binaryData)
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}

extension ConfigMap: KubeObject {
    /// `configMaps`.
    public static var resourceType: ResourceType { .configMaps }
}
