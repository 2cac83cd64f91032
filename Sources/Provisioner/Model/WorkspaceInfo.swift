import CubicleModel
import Foundation

/// A workspace as the API shows it: the object labels and annotations plus the pod's stage.
public struct WorkspaceInfo: Sendable, Hashable, Codable {
    /// The canonical name.
    public var name: String
    /// The owner.
    public var username: String
    /// The blueprint it was provisioned from.
    public var blueprint: String
    /// The owner's organization at provisioning.
    public var organization: String
    /// The status of the API.
    public var status: WorkspaceStatus
    /// Why it has that status.
    public var message: String
    /// When it was first provisioned.
    public var created: Date?
    /// How often its main container restarted.
    public var restarts: Int
    /// The last failure's reason and message, if any.
    public var lastFailMessage: String
    /// The CPU limit (a Kubernetes quantity), empty when unlimited.
    public var cpu: String
    /// The memory limit (a Kubernetes quantity), empty when unlimited.
    public var memory: String
    /// The namespace of its objects.
    public var namespace: String
    /// The pod's address, empty when it has none.
    public var podIP: String
    /// The latest job acting on it.
    public var jobId: String
    /// Always `standalone`.
    public var workspaceType: String = "standalone"
}

/// What a caller asks to provision.
public struct ProvisionRequest: Sendable, Hashable {
    /// The owner, as stored.
    public var owner: WorkspaceOwner
    /// The blueprint; nil picks the owner's first allowed concrete blueprint.
    public var blueprint: String?
    /// An instance discriminator for several workspaces of one blueprint.
    public var instance: String?

    /// Creates a request.
    public init(owner: WorkspaceOwner, blueprint: String? = nil, instance: String? = nil) {
        self.owner = owner
        self.blueprint = blueprint
        self.instance = instance
    }
}

/// The owner fields a workspace is rendered with.
public struct WorkspaceOwner: Sendable, Hashable {
    /// Login name.
    public var username: String
    /// Numeric user id inside the workspace.
    public var uid: Int
    /// Numeric group id inside the workspace.
    public var gid: Int
    /// Login shell.
    public var shell: String
    /// Whether sudo is allowed inside.
    public var sudo: Bool
    /// Full name, for expressions.
    public var fullname: String
    /// E-mail, for expressions.
    public var email: String
    /// Organization, for expressions and display.
    public var organization: String
    /// Roles, for expressions.
    public var roles: [String]
    /// Blueprints the owner may provision (`*` for all).
    public var allowedBlueprints: [String]

    /// Creates an owner.
    public init(
        username: String, uid: Int, gid: Int, shell: String = "/bin/bash", sudo: Bool = false, fullname: String = "",
        email: String = "", organization: String = "", roles: [String] = [], allowedBlueprints: [String] = ["*"]
    ) {
        self.username = username
        self.uid = uid
        self.gid = gid
        self.shell = shell
        self.sudo = sudo
        self.fullname = fullname
        self.email = email
        self.organization = organization
        self.roles = roles
        self.allowedBlueprints = allowedBlueprints
    }

    /// Whether the owner may provision `blueprint`.
    public func mayUse(_ blueprint: String) -> Bool {
        allowedBlueprints.contains("*") || allowedBlueprints.contains(blueprint)
    }
}

/// The answer to a provision, stop or delete: the workspace and the job acting on it.
public struct JobTicket: Sendable, Hashable {
    /// The workspace.
    public var workspace: String
    /// The job.
    public var jobID: String
}

/// How Cubicle reaches a running workspace's sshd.
public struct WorkspaceAccess: Sendable, Hashable {
    /// The pod address.
    public var host: String
    /// The sshd port.
    public var port: Int
    /// The login (the owner).
    public var username: String
    /// Cubicle's client private key for this workspace (OpenSSH format).
    public var clientPrivateKey: String
    /// The pinned host public key line.
    public var hostPublicKey: String
    /// Whether shells in this workspace are recorded.
    public var recordSessions: Bool
    /// The blueprint, for session records.
    public var blueprint: String
}
