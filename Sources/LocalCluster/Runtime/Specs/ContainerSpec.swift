/// One process to start inside a sandbox (a CRI container, minus the image).
public struct ContainerSpec: Sendable, Hashable {
    /// The container's name; names its log file (`<pod>/logs/<name>.log`) and cgroup.
    public var name: String
    /// The command and its arguments; argv[0] is looked up in the container's `PATH`.
    public var argv: [String]
    /// The whole environment: nothing of the host's is inherited. `PATH`, `HOSTNAME` and `HOME`
    /// get defaults when missing.
    public var env: [String: String]
    /// The working directory inside the pod (default `/`); it must exist.
    public var workingDir: String?
    /// The uid to run as (default: root of the pod).
    public var uid: UInt32?
    /// The gid to run as (default: the uid's primary group in the pod's `/etc/passwd`, else 0).
    public var gid: UInt32?
    /// Limits for this container alone.
    public var limits: ResourceLimits

    /// Creates a spec.
    public init(
        name: String, argv: [String], env: [String: String] = [:], workingDir: String? = nil,
        uid: UInt32? = nil, gid: UInt32? = nil, limits: ResourceLimits = .none
    ) {
        self.name = name
        self.argv = argv
        self.env = env
        self.workingDir = workingDir
        self.uid = uid
        self.gid = gid
        self.limits = limits
    }
}
