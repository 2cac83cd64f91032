/// The desired state of a pod.
public struct PodSpec: Codable, Hashable, Sendable {
    /// The main containers.
    public var containers: [Container] = []
    /// Containers run to completion, in order, before the main ones.
    public var initContainers: [Container]?
    /// Volumes the containers can mount.
    public var volumes: [Volume]?
    /// The node the pod is bound to.
    public var nodeName: String?
    /// Labels a node must have to run the pod.
    public var nodeSelector: [String: String]?
    /// Taints the pod tolerates.
    public var tolerations: [Toleration]?
    /// `Always`, `OnFailure` or `Never`.
    public var restartPolicy: String?
    /// The pod's hostname.
    public var hostname: String?
    /// The pod's DNS subdomain.
    public var subdomain: String?
    /// Pod-wide security settings.
    public var securityContext: PodSecurityContext?
    /// How long the pod gets to stop gracefully.
    public var terminationGracePeriodSeconds: Int?
    /// Whether the service account token is mounted.
    public var automountServiceAccountToken: Bool?
    /// The service account the pod runs as.
    public var serviceAccountName: String?
    /// Whether service environment variables are injected.
    public var enableServiceLinks: Bool?
    /// The pod's priority class.
    public var priorityClassName: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        containers: [Container] = [],
        initContainers: [Container]? = nil,
        volumes: [Volume]? = nil,
        nodeName: String? = nil,
        nodeSelector: [String: String]? = nil,
        tolerations: [Toleration]? = nil,
        restartPolicy: String? = nil,
        hostname: String? = nil,
        subdomain: String? = nil,
        securityContext: PodSecurityContext? = nil,
        terminationGracePeriodSeconds: Int? = nil,
        automountServiceAccountToken: Bool? = nil,
        serviceAccountName: String? = nil,
        enableServiceLinks: Bool? = nil,
        priorityClassName: String? = nil
    ) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.restartPolicy = restartPolicy
        self.hostname = hostname
        self.subdomain = subdomain
        self.securityContext = securityContext
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.automountServiceAccountToken = automountServiceAccountToken
        self.serviceAccountName = serviceAccountName
        self.enableServiceLinks = enableServiceLinks
        self.priorityClassName = priorityClassName
    }

    enum CodingKeys: String, CodingKey {
        case containers
        case initContainers
        case volumes
        case nodeName
        case nodeSelector
        case tolerations
        case restartPolicy
        case hostname
        case subdomain
        case securityContext
        case terminationGracePeriodSeconds
        case automountServiceAccountToken
        case serviceAccountName
        case enableServiceLinks
        case priorityClassName
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        containers = try container.decodeIfPresent([Container].self, forKey: .containers) ?? []
        initContainers = try container.decodeIfPresent([Container].self, forKey: .initContainers)
        volumes = try container.decodeIfPresent([Volume].self, forKey: .volumes)
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        nodeSelector = try container.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        tolerations = try container.decodeIfPresent([Toleration].self, forKey: .tolerations)
        restartPolicy = try container.decodeIfPresent(String.self, forKey: .restartPolicy)
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        subdomain = try container.decodeIfPresent(String.self, forKey: .subdomain)
        securityContext = try container.decodeIfPresent(PodSecurityContext.self, forKey: .securityContext)
        terminationGracePeriodSeconds = try container.decodeIfPresent(Int.self, forKey: .terminationGracePeriodSeconds)
        automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        serviceAccountName = try container.decodeIfPresent(String.self, forKey: .serviceAccountName)
        enableServiceLinks = try container.decodeIfPresent(Bool.self, forKey: .enableServiceLinks)
        priorityClassName = try container.decodeIfPresent(String.self, forKey: .priorityClassName)
    }
}

/// A taint the pod tolerates.
public struct Toleration: Codable, Hashable, Sendable {
    /// The taint key; empty matches all keys with `Exists`.
    public var key: String?
    /// `Exists` or `Equal`.
    public var `operator`: String?
    /// The taint value for `Equal`.
    public var value: String?
    /// The taint effect matched; empty matches all.
    public var effect: String?
    /// How long a `NoExecute` taint is tolerated.
    public var tolerationSeconds: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        key: String? = nil,
        operator: String? = nil,
        value: String? = nil,
        effect: String? = nil,
        tolerationSeconds: Int? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

/// Security settings for every container of a pod.
public struct PodSecurityContext: Codable, Hashable, Sendable {
    /// The uid processes run as.
    public var runAsUser: Int?
    /// The gid processes run as.
    public var runAsGroup: Int?
    /// Refuse to start containers that would run as root.
    public var runAsNonRoot: Bool?
    /// The group that owns mounted volumes.
    public var fsGroup: Int?
    /// When volume ownership is changed.
    public var fsGroupChangePolicy: String?
    /// Extra groups for every process.
    public var supplementalGroups: [Int]?
    /// The seccomp profile.
    public var seccompProfile: SeccompProfile?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        runAsUser: Int? = nil,
        runAsGroup: Int? = nil,
        runAsNonRoot: Bool? = nil,
        fsGroup: Int? = nil,
        fsGroupChangePolicy: String? = nil,
        supplementalGroups: [Int]? = nil,
        seccompProfile: SeccompProfile? = nil
    ) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.fsGroup = fsGroup
        self.fsGroupChangePolicy = fsGroupChangePolicy
        self.supplementalGroups = supplementalGroups
        self.seccompProfile = seccompProfile
    }
}

/// A seccomp profile selection.
public struct SeccompProfile: Codable, Hashable, Sendable {
    /// `RuntimeDefault`, `Unconfined` or `Localhost`.
    public var type: String = ""
    /// The profile file for `Localhost`.
    public var localhostProfile: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(type: String = "", localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }

    enum CodingKeys: String, CodingKey {
        case type
        case localhostProfile
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        localhostProfile = try container.decodeIfPresent(String.self, forKey: .localhostProfile)
    }
}
