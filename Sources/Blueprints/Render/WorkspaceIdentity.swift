import CubicleModel

/// Who and what a workspace is: everything about it that is not in the blueprint.
public struct WorkspaceIdentity: Sendable, Hashable {
    /// The canonical workspace name; also the pod's name and hostname.
    public var name: String
    /// The namespace its objects live in.
    public var namespace: String
    /// The owner's user name (the login inside the workspace).
    public var username: String
    /// The owner's numeric uid inside the workspace.
    public var uid: Int64
    /// The owner's numeric gid inside the workspace.
    public var gid: Int64
    /// The owner's login shell.
    public var shell: String
    /// Whether the owner may use sudo inside the workspace.
    public var sudo: Bool
    /// The owner's organization, shown by the API.
    public var organization: String
    /// The job applying the objects; recorded in a label.
    public var jobID: String

    /// Creates an identity.
    public init(
        name: String, namespace: String, username: String, uid: Int64, gid: Int64, shell: String = "/bin/bash",
        sudo: Bool = false, organization: String = "", jobID: String
    ) {
        self.name = name
        self.namespace = namespace
        self.username = username
        self.uid = uid
        self.gid = gid
        self.shell = shell
        self.sudo = sudo
        self.organization = organization
        self.jobID = jobID
    }
}

/// The secret material of one workspace, generated once at first provisioning and reused after.
public struct WorkspaceCredentials: Sendable, Hashable {
    /// The sshd host key, OpenSSH private key format.
    public var hostPrivateKey: String
    /// The host key's public line (`ssh-ed25519 AAAA…`), which Cubicle pins.
    public var hostPublicKey: String
    /// Cubicle's client key for this workspace, OpenSSH private key format.
    public var clientPrivateKey: String
    /// The client key's public line, the workspace's only authorized key.
    public var clientPublicKey: String
    /// The workspace's own token, which processes inside exchange for short-lived user tokens.
    public var workspaceToken: String

    /// Creates the material.
    public init(
        hostPrivateKey: String, hostPublicKey: String, clientPrivateKey: String, clientPublicKey: String,
        workspaceToken: String
    ) {
        self.hostPrivateKey = hostPrivateKey
        self.hostPublicKey = hostPublicKey
        self.clientPrivateKey = clientPrivateKey
        self.clientPublicKey = clientPublicKey
        self.workspaceToken = workspaceToken
    }
}

/// The in-workspace scripts shipped in `workspace/`, mounted into every pod from its ConfigMap.
public struct WorkspaceScripts: Sendable, Hashable {
    /// `workspace/bootstrap`, the pod's main process.
    public var bootstrap: String
    /// `workspace/sshd_config`, the sshd template the bootstrap fills in.
    public var sshdConfig: String
    /// `workspace/agent`, the apps/sysinfo agent (absent until shipped).
    public var agent: String?
    /// `workspace/credential-helper`, installed as git-credential-cubicle and docker-credential-cubicle.
    public var credentialHelper: String?
    /// `workspace/exec-wrapper`, sent inline with every exec (not rendered into the workspace).
    public var execWrapper: String?

    /// Creates the set.
    public init(bootstrap: String, sshdConfig: String, agent: String? = nil, credentialHelper: String? = nil, execWrapper: String? = nil) {
        self.bootstrap = bootstrap
        self.sshdConfig = sshdConfig
        self.agent = agent
        self.credentialHelper = credentialHelper
        self.execWrapper = execWrapper
    }
}

/// Deployment-wide choices for rendering workspaces.
public struct RenderOptions: Sendable, Hashable {
    /// The port the workspace's sshd listens on (unprivileged, so non-root pods work too).
    public var sshPort: Int
    /// Labels of the Cubicle server pods, the only ones the NetworkPolicy lets reach sshd.
    public var serverPodLabels: [String: String]
    /// The namespace Cubicle runs in when it differs from the workspaces' namespace.
    public var serverNamespace: String?
    /// The URL processes inside a workspace reach the Cubicle API at (credential helpers).
    public var apiURL: String?

    /// Creates options.
    public init(
        sshPort: Int = 2222, serverPodLabels: [String: String] = ["app.kubernetes.io/name": "cubicle"],
        serverNamespace: String? = nil, apiURL: String? = nil
    ) {
        self.sshPort = sshPort
        self.serverPodLabels = serverPodLabels
        self.serverNamespace = serverNamespace
        self.apiURL = apiURL
    }
}
