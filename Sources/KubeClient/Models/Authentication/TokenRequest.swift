/// The body of the `serviceaccounts/token` subresource (authentication.k8s.io/v1).
public struct TokenRequest: Codable, Hashable, Sendable {
    /// The API version.
    public var apiVersion: String = "authentication.k8s.io/v1"
    /// The kind.
    public var kind: String = "TokenRequest"
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// What token to issue.
    public var spec: TokenRequestSpec = TokenRequestSpec()
    /// The issued token.
    public var status: TokenRequestStatus?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String = "authentication.k8s.io/v1",
        kind: String = "TokenRequest",
        metadata: ObjectMeta = ObjectMeta(),
        spec: TokenRequestSpec = TokenRequestSpec(),
        status: TokenRequestStatus? = nil
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
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? "authentication.k8s.io/v1"
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? "TokenRequest"
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(TokenRequestSpec.self, forKey: .spec) ?? TokenRequestSpec()
        status = try container.decodeIfPresent(TokenRequestStatus.self, forKey: .status)
    }
}

/// What token to issue.
public struct TokenRequestSpec: Codable, Hashable, Sendable {
    /// The audiences the token is valid for; empty means the apiserver's.
    public var audiences: [String] = []
    /// The requested lifetime.
    public var expirationSeconds: Int?
    /// An object whose deletion invalidates the token.
    public var boundObjectRef: BoundObjectReference?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        audiences: [String] = [],
        expirationSeconds: Int? = nil,
        boundObjectRef: BoundObjectReference? = nil
    ) {
        self.audiences = audiences
        self.expirationSeconds = expirationSeconds
        self.boundObjectRef = boundObjectRef
    }

    enum CodingKeys: String, CodingKey {
        case audiences
        case expirationSeconds
        case boundObjectRef
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        audiences = try container.decodeIfPresent([String].self, forKey: .audiences) ?? []
        expirationSeconds = try container.decodeIfPresent(Int.self, forKey: .expirationSeconds)
        boundObjectRef = try container.decodeIfPresent(BoundObjectReference.self, forKey: .boundObjectRef)
    }
}

/// An object a token is bound to.
public struct BoundObjectReference: Codable, Hashable, Sendable {
    /// `Pod` or `Secret`.
    public var kind: String?
    /// The object's API version.
    public var apiVersion: String?
    /// The object's name.
    public var name: String?
    /// The object's uid.
    public var uid: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        kind: String? = nil,
        apiVersion: String? = nil,
        name: String? = nil,
        uid: String? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.name = name
        self.uid = uid
    }
}

/// An issued token.
public struct TokenRequestStatus: Codable, Hashable, Sendable {
    /// The bearer token.
    public var token: String = ""
    /// When it expires.
    public var expirationTimestamp: KubeTime?

    /// Creates a value; unset fields are omitted when encoded.
    public init(token: String = "", expirationTimestamp: KubeTime? = nil) {
        self.token = token
        self.expirationTimestamp = expirationTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case token
        case expirationTimestamp
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        token = try container.decodeIfPresent(String.self, forKey: .token) ?? ""
        expirationTimestamp = try container.decodeIfPresent(KubeTime.self, forKey: .expirationTimestamp)
    }
}
