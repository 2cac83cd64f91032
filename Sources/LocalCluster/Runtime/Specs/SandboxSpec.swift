/// What the runtime needs to build a pod's sandbox; the kubelet translates a Pod into this.
public struct SandboxSpec: Sendable, Hashable {
    /// The pod's uid; names the sandbox's cgroup and state record.
    public var podUID: String
    /// The pod's name (for logs and messages).
    public var name: String
    /// The pod's namespace (for logs and messages).
    public var namespace: String
    /// The hostname processes in the pod see (`uname -n`, `/etc/hostname`).
    public var hostname: String
    /// The pod's own loopback address (`127.77.x.y`), written to `/etc/hosts`.
    public var ip: String
    /// The pod's directory on the host: the runtime keeps the overlay, rootfs and logs in it.
    public var podDirectory: String
    /// Volumes bind-mounted into the pod, in order (all containers of the pod share them).
    public var volumes: [VolumeMount]
    /// Limits for the whole pod.
    public var limits: ResourceLimits

    /// Creates a spec.
    public init(
        podUID: String, name: String, namespace: String, hostname: String, ip: String,
        podDirectory: String, volumes: [VolumeMount] = [], limits: ResourceLimits = .none
    ) {
        self.podUID = podUID
        self.name = name
        self.namespace = namespace
        self.hostname = hostname
        self.ip = ip
        self.podDirectory = podDirectory
        self.volumes = volumes
        self.limits = limits
    }
}
