import CubicleModel
import Provisioner
import SSHClient
import Synchronization

/// Reaches running workspaces over SSH for shells, files and the agent: one pooled SSH session
/// per workspace (many channels on it) and one SFTP client per workspace, both pinned to the host
/// key in the workspace Secret and replaced when the pod's address or keys change.
public final class WorkspaceConnector: Sendable {
    /// The pool shells and agent commands share.
    public let pool: SSHSessionPool
    /// Tuning for SFTP clients.
    public let sftpConfiguration: SFTPConfiguration
    private let provisioner: Provisioner
    private let sftpClients = Mutex<[String: SFTPClient]>([:])

    /// Creates a connector over `pool`.
    public init(provisioner: Provisioner, pool: SSHSessionPool, sftpConfiguration: SFTPConfiguration = SFTPConfiguration()) {
        self.provisioner = provisioner
        self.pool = pool
        self.sftpConfiguration = sftpConfiguration
    }

    /// Where and how to reach a running workspace; `workspace_not_running` when it is not.
    public func endpoint(of name: String) throws -> WorkspaceEndpoint {
        let access = try provisioner.access(to: name)
        do {
            let key = try SSHKeyPair(privateKey: access.clientPrivateKey)
            let hostKey = try SSHPublicKey(line: access.hostPublicKey)
            let target = SSHTarget(host: access.host, port: access.port, user: access.username, clientKey: key, hostKey: hostKey)
            return WorkspaceEndpoint(name: name, access: access, target: target)
        } catch {
            throw APIError(.internalServerError, .internalError, "workspace \(name) has unusable SSH keys: \(error.message)")
        }
    }

    /// The workspace's live SSH session (connecting once, however many callers ask).
    public func session(for endpoint: WorkspaceEndpoint) async throws -> SSHSession {
        try await pool.session(for: endpoint.name, target: endpoint.target)
    }

    /// Opens a shell (with `pty`) or runs `command` on a connection to the workspace with a free
    /// channel slot; the pool adds connections while every slot of the existing ones is busy.
    public func openChannel(for endpoint: WorkspaceEndpoint, command: String?, pty: PTYRequest?) async throws -> SSHChannel {
        if let command {
            return try await pool.exec(key: endpoint.name, target: endpoint.target, command: command, pty: pty)
        }
        return try await pool.openShell(key: endpoint.name, target: endpoint.target, pty: pty)
    }

    /// The workspace's SFTP client; a client for an old address or key is shut down and replaced.
    public func sftp(for endpoint: WorkspaceEndpoint) -> SFTPClient {
        let (client, retired): (SFTPClient, SFTPClient?) = sftpClients.withLock { clients in
            if let current = clients[endpoint.name], current.target == endpoint.target { return (current, nil) }
            let client = SFTPClient(target: endpoint.target, configuration: sftpConfiguration)
            let old = clients.updateValue(client, forKey: endpoint.name)
            return (client, old)
        }
        if let retired { Task { await retired.shutdown() } }
        return client
    }

    /// Forgets a workspace's connections (after it stops or is deleted).
    public func forget(_ name: String) async {
        pool.remove(key: name)
        let client = sftpClients.withLock { $0.removeValue(forKey: name) }
        await client?.shutdown()
    }

    /// Closes idle sessions periodically until cancelled.
    public func run() async throws {
        try await pool.run()
    }

    /// Closes every session and SFTP client.
    public func shutdown() async {
        let clients = sftpClients.withLock { clients in
            let all = Array(clients.values)
            clients = [:]
            return all
        }
        for client in clients { await client.shutdown() }
        await pool.shutdown()
    }
}

/// A running workspace's SSH coordinates.
public struct WorkspaceEndpoint: Sendable, Hashable {
    /// The workspace name (the pool key).
    public var name: String
    /// What the provisioner knows: address, user, keys, recording.
    public var access: WorkspaceAccess
    /// The SSH target built from it.
    public var target: SSHTarget
}
