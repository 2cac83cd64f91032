import CubicleModel

/// A container in a pod.
public struct Container: Codable, Hashable, Sendable {
    /// The container's name, unique in the pod.
    public var name: String
    /// The image reference.
    public var image: String?
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String?
    /// The entrypoint, replacing the image's.
    public var command: [String]?
    /// Arguments to the entrypoint.
    public var args: [String]?
    /// The working directory.
    public var workingDir: String?
    /// Environment variables.
    public var env: [EnvVar]?
    /// Ports the container exposes.
    public var ports: [ContainerPort]?
    /// Volumes mounted into the container.
    public var volumeMounts: [VolumeMount]?
    /// Compute resource requests and limits.
    public var resources: ResourceRequirements?
    /// Container security settings.
    public var securityContext: SecurityContext?
    /// The check that decides whether the container is ready.
    public var readinessProbe: Probe?
    /// The check that restarts the container when it fails.
    public var livenessProbe: Probe?
    /// The check that gates the other probes until the container has started.
    public var startupProbe: Probe?
    /// Whether the container keeps a stdin open.
    public var stdin: Bool?
    /// Whether the container gets a TTY.
    public var tty: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String,
        image: String? = nil,
        imagePullPolicy: String? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        workingDir: String? = nil,
        env: [EnvVar]? = nil,
        ports: [ContainerPort]? = nil,
        volumeMounts: [VolumeMount]? = nil,
        resources: ResourceRequirements? = nil,
        securityContext: SecurityContext? = nil,
        readinessProbe: Probe? = nil,
        livenessProbe: Probe? = nil,
        startupProbe: Probe? = nil,
        stdin: Bool? = nil,
        tty: Bool? = nil
    ) {
        self.name = name
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.env = env
        self.ports = ports
        self.volumeMounts = volumeMounts
        self.resources = resources
        self.securityContext = securityContext
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.startupProbe = startupProbe
        self.stdin = stdin
        self.tty = tty
    }
}

/// A port a container exposes.
public struct ContainerPort: Codable, Hashable, Sendable {
    /// The port's name.
    public var name: String?
    /// The port number in the container.
    public var containerPort: Int = 0
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The port on the host, if any.
    public var hostPort: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String? = nil,
        containerPort: Int = 0,
        protocol: String? = nil,
        hostPort: Int? = nil
    ) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostPort = hostPort
    }

    enum CodingKeys: String, CodingKey {
        case name
        case containerPort
        case `protocol`
        case hostPort
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        containerPort = try container.decodeIfPresent(Int.self, forKey: .containerPort) ?? 0
        self.protocol = try container.decodeIfPresent(String.self, forKey: .`protocol`)
        hostPort = try container.decodeIfPresent(Int.self, forKey: .hostPort)
    }
}

/// A volume mounted into a container.
public struct VolumeMount: Codable, Hashable, Sendable {
    /// The volume's name.
    public var name: String
    /// Where it is mounted.
    public var mountPath: String
    /// The path inside the volume to mount instead of its root.
    public var subPath: String?
    /// Whether the mount is read-only.
    public var readOnly: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String,
        mountPath: String,
        subPath: String? = nil,
        readOnly: Bool? = nil
    ) {
        self.name = name
        self.mountPath = mountPath
        self.subPath = subPath
        self.readOnly = readOnly
    }
}

/// Compute resource requests and limits; quantities stay strings.
public struct ResourceRequirements: Codable, Hashable, Sendable {
    /// The most a container may use.
    public var limits: [String: Quantity]?
    /// What a container is guaranteed.
    public var requests: [String: Quantity]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// Security settings for one container.
public struct SecurityContext: Codable, Hashable, Sendable {
    /// The uid the process runs as.
    public var runAsUser: Int?
    /// The gid the process runs as.
    public var runAsGroup: Int?
    /// Refuse to run as root.
    public var runAsNonRoot: Bool?
    /// Run privileged.
    public var privileged: Bool?
    /// Whether a process may gain more privileges than its parent.
    public var allowPrivilegeEscalation: Bool?
    /// Mount the root filesystem read-only.
    public var readOnlyRootFilesystem: Bool?
    /// Capabilities to add and drop.
    public var capabilities: Capabilities?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        runAsUser: Int? = nil,
        runAsGroup: Int? = nil,
        runAsNonRoot: Bool? = nil,
        privileged: Bool? = nil,
        allowPrivilegeEscalation: Bool? = nil,
        readOnlyRootFilesystem: Bool? = nil,
        capabilities: Capabilities? = nil
    ) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.privileged = privileged
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.capabilities = capabilities
    }
}

/// Linux capabilities to add and drop.
public struct Capabilities: Codable, Hashable, Sendable {
    /// Capabilities to add.
    public var add: [String]?
    /// Capabilities to drop.
    public var drop: [String]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}
