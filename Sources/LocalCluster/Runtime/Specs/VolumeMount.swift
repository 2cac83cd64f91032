/// A host directory (or file) that appears at a path inside the pod.
public struct VolumeMount: Sendable, Hashable, Codable {
    /// The volume's directory on the host.
    public var hostPath: String
    /// Where it appears inside the pod (absolute).
    public var containerPath: String
    /// Whether the pod may only read it.
    public var readOnly: Bool
    /// A path relative to `hostPath` to mount instead of the whole volume (may name a file).
    public var subPath: String?

    /// Creates a mount.
    public init(hostPath: String, containerPath: String, readOnly: Bool = false, subPath: String? = nil) {
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}
