import Blueprints
import CubicleModel
import Foundation
import KubeClient
import SSHClient
import Store

extension Provisioner {
    /// The objects a provision or start job applies: the blueprint instantiated for the owner as
    /// stored now, with the workspace's existing keys (or new ones on first provisioning).
    func resources(for job: Job) async throws -> WorkspaceResources {
        guard let blueprintName = job.blueprint else {
            throw ProvisionerError(.internalError, "job \(job.id) has no blueprint")
        }
        let user = try await store.users.get(job.username)
        let owner = WorkspaceOwner(user)
        let spec = try catalog().provisionable(blueprintName).instantiate(context: context(for: owner, workspace: job.workspaceName))
        let identity = WorkspaceIdentity(
            name: job.workspaceName, namespace: settings.namespace, username: owner.username, uid: Int64(owner.uid),
            gid: Int64(owner.gid), shell: owner.shell, sudo: owner.sudo, organization: owner.organization, jobID: job.id)
        let credentials = try await credentials(for: job.workspaceName)
        var renderer = self.renderer
        if renderer.options.apiURL == nil, let url = workspaceAPIURL.withLock({ $0 }) { renderer.options.apiURL = url }
        return renderer.render(spec: spec, identity: identity, credentials: credentials)
    }

    /// The keys and token of a workspace: read back from its Secrets when they exist, so a start
    /// (or a job resumed after a crash) never changes them; generated otherwise.
    func credentials(for workspace: String) async throws -> WorkspaceCredentials {
        let names = WorkspaceObjectNames(workspace: workspace)
        do {
            let client = try await self.client.get(Secret.self, name: names.clientSecret, namespace: settings.namespace)
            let ssh = try await self.client.get(Secret.self, name: names.sshSecret, namespace: settings.namespace)
            if let existing = WorkspaceCredentials(clientSecret: client, sshSecret: ssh) { return existing }
            logger.warning("workspace secrets incomplete; generating new keys", metadata: ["workspace": "\(workspace)"])
        } catch let error as KubeError where error.isNotFound {}
        let host = try SSHKeyPair.generateEd25519(comment: "\(workspace) host key")
        let client = try SSHKeyPair.generateEd25519(comment: "cubicle@\(workspace)")
        return WorkspaceCredentials(
            hostPrivateKey: host.privateKey, hostPublicKey: host.publicKey.line,
            clientPrivateKey: client.privateKey, clientPublicKey: client.publicKey.line,
            workspaceToken: WorkspaceToken.generate())
    }
}

extension WorkspaceOwner {
    /// The owner fields of a stored user.
    public init(_ user: User) {
        self.init(
            username: user.username, uid: user.uid, gid: user.gid, shell: user.shell, sudo: user.sudo,
            fullname: user.fullname, email: user.email, organization: user.organization, roles: user.roles,
            allowedBlueprints: user.blueprints)
    }
}

extension WorkspaceCredentials {
    /// Reads the material back from the workspace's two Secrets; nil when any piece is missing.
    init?(clientSecret: Secret, sshSecret: Secret) {
        func text(_ secret: Secret, _ key: String) -> String? {
            secret.data?[key].map { String(decoding: $0, as: UTF8.self) }
        }
        guard let hostPrivate = text(sshSecret, WorkspaceKeys.hostPrivateKey),
            let token = text(sshSecret, WorkspaceKeys.workspaceToken),
            let clientPrivate = text(clientSecret, WorkspaceKeys.clientPrivateKey),
            let clientPublic = text(clientSecret, WorkspaceKeys.clientPublicKey),
            let hostPublic = text(clientSecret, WorkspaceKeys.hostPublicKey)
        else { return nil }
        self.init(
            hostPrivateKey: hostPrivate, hostPublicKey: hostPublic, clientPrivateKey: clientPrivate,
            clientPublicKey: clientPublic, workspaceToken: token)
    }
}

/// The workspace's own token: `cws_` and 32 random bytes, base64url.
enum WorkspaceToken {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "cws_" + text
    }
}
