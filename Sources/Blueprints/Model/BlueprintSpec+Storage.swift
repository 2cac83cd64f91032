import CubicleModel

/// One volume of a workspace.
public struct StorageSpec: Sendable, Hashable, Codable {
    /// Whether the volume is mounted at all.
    public var enabled: Bool
    /// What backs the volume.
    public var type: StorageType
    /// The absolute mount path.
    public var path: String
    /// Whether it is mounted read-only.
    public var readOnly: Bool
    /// The size cap of an `emptyDir`/`memory` volume.
    public var sizeLimit: Quantity?
    /// The `PersistentVolumeClaimSpec` of a `local`/`shared` volume, passed through.
    public var claimSpec: JSONValue?
    /// Annotations for the PVC.
    public var claimSpecAnnotations: [String: String]
    /// Keep the PVC when the workspace is deleted for good.
    public var retain: Bool
    /// The share key of a `shared` volume: every workspace with the same id mounts one PVC.
    public var id: String?

    /// Creates a storage.
    public init(
        enabled: Bool = true, type: StorageType, path: String, readOnly: Bool = false, sizeLimit: Quantity? = nil,
        claimSpec: JSONValue? = nil, claimSpecAnnotations: [String: String] = [:], retain: Bool = false, id: String? = nil
    ) {
        self.enabled = enabled
        self.type = type
        self.path = path
        self.readOnly = readOnly
        self.sizeLimit = sizeLimit
        self.claimSpec = claimSpec
        self.claimSpecAnnotations = claimSpecAnnotations
        self.retain = retain
        self.id = id
    }
}

/// What backs a storage.
public enum StorageType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A PVC per workspace.
    case local
    /// One PVC for all workspaces with the same `id`.
    case shared
    /// A scratch directory that lives as long as the pod.
    case emptyDir
    /// A tmpfs that lives as long as the pod.
    case memory

    /// True for the types backed by a PersistentVolumeClaim.
    public var isPersistent: Bool { self == .local || self == .shared }
}
