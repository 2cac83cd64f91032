import CubicleModel

/// A volume of a pod; exactly one source is set.
public struct Volume: Codable, Hashable, Sendable {
    /// The volume's name, referenced by mounts.
    public var name: String
    /// A ConfigMap's keys as files.
    public var configMap: ConfigMapVolumeSource?
    /// A Secret's keys as files.
    public var secret: SecretVolumeSource?
    /// A claimed persistent volume.
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    /// A scratch directory that lives as long as the pod.
    public var emptyDir: EmptyDirVolumeSource?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String,
        configMap: ConfigMapVolumeSource? = nil,
        secret: SecretVolumeSource? = nil,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil,
        emptyDir: EmptyDirVolumeSource? = nil
    ) {
        self.name = name
        self.configMap = configMap
        self.secret = secret
        self.persistentVolumeClaim = persistentVolumeClaim
        self.emptyDir = emptyDir
    }
}

/// A ConfigMap projected into files.
public struct ConfigMapVolumeSource: Codable, Hashable, Sendable {
    /// The ConfigMap's name.
    public var name: String?
    /// Which keys to project, and where; all keys when unset.
    public var items: [KeyToPath]?
    /// The file mode bits of the files.
    public var defaultMode: Int?
    /// Whether the ConfigMap may be missing.
    public var optional: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String? = nil,
        items: [KeyToPath]? = nil,
        defaultMode: Int? = nil,
        optional: Bool? = nil
    ) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// A Secret projected into files.
public struct SecretVolumeSource: Codable, Hashable, Sendable {
    /// The Secret's name.
    public var secretName: String?
    /// Which keys to project, and where; all keys when unset.
    public var items: [KeyToPath]?
    /// The file mode bits of the files.
    public var defaultMode: Int?
    /// Whether the Secret may be missing.
    public var optional: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        secretName: String? = nil,
        items: [KeyToPath]? = nil,
        defaultMode: Int? = nil,
        optional: Bool? = nil
    ) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// One key projected to a file.
public struct KeyToPath: Codable, Hashable, Sendable {
    /// The key.
    public var key: String
    /// The relative file path.
    public var path: String
    /// The file's mode bits.
    public var mode: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(key: String, path: String, mode: Int? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// A reference to a PersistentVolumeClaim.
public struct PersistentVolumeClaimVolumeSource: Codable, Hashable, Sendable {
    /// The claim's name.
    public var claimName: String = ""
    /// Whether to mount read-only.
    public var readOnly: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(claimName: String = "", readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }

    enum CodingKeys: String, CodingKey {
        case claimName
        case readOnly
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        claimName = try container.decodeIfPresent(String.self, forKey: .claimName) ?? ""
        readOnly = try container.decodeIfPresent(Bool.self, forKey: .readOnly)
    }
}

/// A scratch directory.
public struct EmptyDirVolumeSource: Codable, Hashable, Sendable {
    /// `""` for disk, `Memory` for tmpfs.
    public var medium: String?
    /// The most the directory may hold.
    public var sizeLimit: Quantity?

    /// Creates a value; unset fields are omitted when encoded.
    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}
