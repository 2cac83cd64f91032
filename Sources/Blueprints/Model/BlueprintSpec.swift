import CubicleModel

/// A blueprint instantiated for one workspace: inherited, validated and every expression
/// evaluated, so rendering Kubernetes objects from it needs no further checks.
public struct BlueprintSpec: Sendable, Hashable, Codable {
    /// The blueprint's name.
    public var name: String
    /// The blueprint's description, if any.
    public var description: String?
    /// The container image; it must provide OpenSSH `sshd` and `/bin/sh`.
    public var image: String
    /// When the kubelet pulls the image.
    public var imagePullPolicy: ImagePullPolicy
    /// Environment variables of the main container.
    public var env: [String: String]
    /// CPU and memory limits and requests.
    public var resources: ResourceSpec
    /// Volumes by name.
    public var storages: [String: StorageSpec]
    /// Scripts run once each, in order, as the user at first start.
    public var initScripts: [InitScript]
    /// The master switch for `apps`.
    public var enableApps: Bool
    /// Apps by name.
    public var apps: [String: AppSpec]
    /// The network policy to render.
    public var network: NetworkSpec
    /// The main container's Kubernetes `SecurityContext`, passed through.
    public var securityContext: JSONValue?
    /// The pod's `nodeSelector`, passed through.
    public var nodeSelector: JSONValue?
    /// The pod's `tolerations`, passed through.
    public var tolerations: JSONValue?
    /// Soft-shutdown after this many seconds without shell, file or app traffic; nil for never.
    public var idleTimeoutSeconds: Int64?
    /// Files placed into the workspace, by absolute path.
    public var extFiles: [String: String]
    /// Whether shells are recorded as asciicast v2.
    public var recordSessions: Bool

    /// Creates a spec; every field has the blueprint format's default.
    public init(
        name: String, description: String? = nil, image: String, imagePullPolicy: ImagePullPolicy = .ifNotPresent,
        env: [String: String] = [:], resources: ResourceSpec = ResourceSpec(), storages: [String: StorageSpec] = [:],
        initScripts: [InitScript] = [], enableApps: Bool = false, apps: [String: AppSpec] = [:],
        network: NetworkSpec = NetworkSpec(), securityContext: JSONValue? = nil, nodeSelector: JSONValue? = nil,
        tolerations: JSONValue? = nil, idleTimeoutSeconds: Int64? = nil, extFiles: [String: String] = [:],
        recordSessions: Bool = false
    ) {
        self.name = name
        self.description = description
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.env = env
        self.resources = resources
        self.storages = storages
        self.initScripts = initScripts
        self.enableApps = enableApps
        self.apps = apps
        self.network = network
        self.securityContext = securityContext
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.extFiles = extFiles
        self.recordSessions = recordSessions
    }
}

/// The Kubernetes image pull policy.
public enum ImagePullPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Pull on every start.
    case always = "Always"
    /// Pull only when the node lacks the image (the default).
    case ifNotPresent = "IfNotPresent"
    /// Never pull.
    case never = "Never"
}

/// CPU and memory for the main container: the blueprint's `resources` are the limits, requests
/// default to `100m` and `128Mi` (never above the limits).
public struct ResourceSpec: Sendable, Hashable, Codable {
    /// The default CPU request.
    public static let defaultCPURequest = Quantity(millicores: 100)
    /// The default memory request.
    public static let defaultMemoryRequest = Quantity(bytes: 128 * 1_024 * 1_024)

    /// The CPU limit, if any.
    public var cpuLimit: Quantity?
    /// The memory limit, if any.
    public var memoryLimit: Quantity?
    /// The CPU request.
    public var cpuRequest: Quantity
    /// The memory request.
    public var memoryRequest: Quantity

    /// Creates resources from limits; requests are the defaults, capped by the limits.
    public init(cpuLimit: Quantity? = nil, memoryLimit: Quantity? = nil) {
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
        cpuRequest = cpuLimit.map { min($0, ResourceSpec.defaultCPURequest) } ?? ResourceSpec.defaultCPURequest
        memoryRequest = memoryLimit.map { min($0, ResourceSpec.defaultMemoryRequest) } ?? ResourceSpec.defaultMemoryRequest
    }
}

/// One script of `initScripts`.
public struct InitScript: Sendable, Hashable, Codable {
    /// The script's name; its flag file is named after it.
    public var name: String
    /// The shell script.
    public var script: String

    /// Creates an init script.
    public init(name: String, script: String) {
        self.name = name
        self.script = script
    }
}

/// The workspace's network policy.
public struct NetworkSpec: Sendable, Hashable, Codable {
    /// The policy class.
    public var policyClass: NetworkPolicyClass
    /// Extra CIDRs the workspace may reach.
    public var allowEgressToCIDRs: [String]

    /// Creates a network spec.
    public init(policyClass: NetworkPolicyClass = .workspace, allowEgressToCIDRs: [String] = []) {
        self.policyClass = policyClass
        self.allowEgressToCIDRs = allowEgressToCIDRs
    }
}

/// How open a workspace's network is.
public enum NetworkPolicyClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// The default: egress to the internet and cluster DNS, ingress from Cubicle only.
    case workspace
    /// Egress to cluster DNS and the listed CIDRs only.
    case isolated
    /// No NetworkPolicy restriction beyond the cluster's own.
    case system
}
