import CubicleModel

/// The Kubernetes objects that make up one workspace, in the order they are applied (the pod
/// last, so everything it mounts exists first).
public struct WorkspaceResources: Sendable, Hashable {
    /// Every object, as unstructured JSON, in apply order.
    public var objects: [JSONValue]
    /// The names of the workspace's objects.
    public var names: WorkspaceObjectNames

    /// The pod, the last object.
    public var pod: JSONValue? { objects.last }
}

/// How a workspace's objects are named: every name derives from the workspace name.
public struct WorkspaceObjectNames: Sendable, Hashable {
    /// The workspace name.
    public let workspace: String

    /// Creates the names for a workspace.
    public init(workspace: String) { self.workspace = workspace }

    /// The pod (the workspace name itself).
    public var pod: String { workspace }
    /// The Secret mounted into the pod: host key, authorized key, workspace token.
    public var sshSecret: String { "\(workspace)-ssh" }
    /// The Secret Cubicle keeps for itself: its client key and the pinned host key.
    public var clientSecret: String { "\(workspace)-client" }
    /// The ConfigMap with scripts and definitions.
    public var configMap: String { "\(workspace)-config" }
    /// The NetworkPolicy.
    public var networkPolicy: String { workspace }
    /// The claim of a `local` storage.
    public func localClaim(storage: String) -> String { "\(workspace)-\(DNSLabel.normalize(storage, maxLength: 40))" }
    /// The claim of a `shared` storage, common to every workspace using the same id.
    public static func sharedClaim(id: String) -> String { "cubicle-shared-\(DNSLabel.normalize(id, maxLength: 40))" }
}

/// Keys of the workspace Secrets and annotations Cubicle reads back.
public enum WorkspaceKeys {
    /// In the ssh Secret: the sshd host private key.
    public static let hostPrivateKey = "ssh_host_ed25519_key"
    /// In the ssh Secret: the authorized key line.
    public static let authorizedKeys = "authorized_keys"
    /// In the ssh Secret: the workspace's own token.
    public static let workspaceToken = "workspace-token"
    /// In the client Secret: Cubicle's client private key.
    public static let clientPrivateKey = "id_ed25519"
    /// In the client Secret: Cubicle's client public key.
    public static let clientPublicKey = "id_ed25519.pub"
    /// In the client Secret: the pinned host public key.
    public static let hostPublicKey = "ssh_host_ed25519_key.pub"
    /// Annotation on the pod: a stop was asked for, so its termination reads as Stopping.
    public static let stopRequestedAnnotation = "cubicle.dev/stop-requested"
    /// Annotation on the anchor Secret: the CPU limit shown by the API.
    public static let cpuAnnotation = "cubicle.dev/cpu"
    /// Annotation on the anchor Secret: the memory limit shown by the API.
    public static let memoryAnnotation = "cubicle.dev/memory"
    /// Annotation on the anchor Secret: the owner's organization.
    public static let organizationAnnotation = "cubicle.dev/organization"
    /// Annotation on the anchor Secret: whether sessions are recorded.
    public static let recordSessionsAnnotation = "cubicle.dev/record-sessions"
    /// Annotation on the anchor Secret: the idle timeout in seconds.
    public static let idleTimeoutAnnotation = "cubicle.dev/idle-timeout-seconds"
    /// Annotation on the pod and the anchor Secret: the sshd port.
    public static let sshPortAnnotation = "cubicle.dev/ssh-port"
    /// The name of the pod's main container.
    public static let mainContainer = "workspace"
    /// Where the ConfigMap is mounted in the pod.
    public static let configMountPath = "/etc/cubicle"
    /// Where the ssh Secret is mounted in the pod.
    public static let secretMountPath = "/etc/cubicle-secret"
}
