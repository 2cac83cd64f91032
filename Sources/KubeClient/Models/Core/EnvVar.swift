/// An environment variable of a container.
public struct EnvVar: Codable, Hashable, Sendable {
    /// The variable's name.
    public var name: String
    /// A literal value.
    public var value: String?
    /// Where the value comes from instead of `value`.
    public var valueFrom: EnvVarSource?

    /// Creates a value; unset fields are omitted when encoded.
    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// The source of an environment variable's value.
public struct EnvVarSource: Codable, Hashable, Sendable {
    /// A key of a Secret.
    public var secretKeyRef: SecretKeySelector?
    /// A key of a ConfigMap.
    public var configMapKeyRef: ConfigMapKeySelector?
    /// A field of the pod, e.g. `status.podIP`.
    public var fieldRef: ObjectFieldSelector?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        secretKeyRef: SecretKeySelector? = nil,
        configMapKeyRef: ConfigMapKeySelector? = nil,
        fieldRef: ObjectFieldSelector? = nil
    ) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
        self.fieldRef = fieldRef
    }
}

/// A key of a Secret in the pod's namespace.
public struct SecretKeySelector: Codable, Hashable, Sendable {
    /// The Secret's name.
    public var name: String?
    /// The key.
    public var key: String = ""
    /// Whether the Secret or key may be missing.
    public var optional: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(name: String? = nil, key: String = "", optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }

    enum CodingKeys: String, CodingKey {
        case name
        case key
        case optional
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        optional = try container.decodeIfPresent(Bool.self, forKey: .optional)
    }
}

/// A key of a ConfigMap in the pod's namespace.
public struct ConfigMapKeySelector: Codable, Hashable, Sendable {
    /// The ConfigMap's name.
    public var name: String?
    /// The key.
    public var key: String = ""
    /// Whether the ConfigMap or key may be missing.
    public var optional: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(name: String? = nil, key: String = "", optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }

    enum CodingKeys: String, CodingKey {
        case name
        case key
        case optional
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        optional = try container.decodeIfPresent(Bool.self, forKey: .optional)
    }
}

/// A field of the pod.
public struct ObjectFieldSelector: Codable, Hashable, Sendable {
    /// The schema version of `fieldPath`.
    public var apiVersion: String?
    /// The path, e.g. `metadata.name`.
    public var fieldPath: String = ""

    /// Creates a value; unset fields are omitted when encoded.
    public init(apiVersion: String? = nil, fieldPath: String = "") {
        self.apiVersion = apiVersion
        self.fieldPath = fieldPath
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case fieldPath
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        fieldPath = try container.decodeIfPresent(String.self, forKey: .fieldPath) ?? ""
    }
}
