/// CPU and memory ceilings for a pod or a container, already parsed from Kubernetes quantities.
public struct ResourceLimits: Sendable, Hashable, Codable {
    /// Hard memory limit in bytes; the kernel OOM-kills inside the cgroup beyond it.
    public var memoryBytes: Int64?
    /// CPU limit in millicores (1000 = one core), enforced as a CFS quota.
    public var cpuMillicores: Int64?

    /// No limits.
    public static let none = ResourceLimits()

    /// Creates limits; nil means unlimited.
    public init(memoryBytes: Int64? = nil, cpuMillicores: Int64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuMillicores = cpuMillicores
    }

    /// Whether any limit is set.
    public var isEmpty: Bool { memoryBytes == nil && cpuMillicores == nil }
}
