import App
import Foundation
import KubeClient
import Logging

/// One real workspace (process kubelet, its own sshd) on an in-process server, with what both
/// sides of a shell or files benchmark need: the WebSocket URL and token for Cubicle, and the client key
/// and pinned host key for OpenSSH straight at the same sshd.
struct BenchWorkspace: Sendable {
    /// The server holding the workspace.
    let server: BenchServer
    /// The workspace name.
    let name: String
    /// The pod address the workspace's sshd listens on (port 2222).
    let podIP: String
    /// The workspace user OpenSSH logs in as.
    let user: String
    /// A scratch directory with `key` and `known_hosts`, removed by `stop()`.
    let scratch: String

    /// The admin token the WebSocket sends.
    var token: String { server.adminToken }

    /// Starts a server and provisions one `dev` workspace of the admin on it.
    static func start(_ options: BenchOptions) async throws -> BenchWorkspace {
        let block = Int.random(in: 200...249)
        let server = try await BenchServer.start(
            repository: options.repository, provisionTimeout: 300, logger: Logger(label: "cubicle-bench"), kubelet: .process,
            // A random block of its own: another bench or test server on this machine must not hand
            // out the same pod address (its sshd would answer with another host key).
            podAddressBlocks: block...block)
        let scratch = "\(FileManager.default.temporaryDirectory.path)/cubicle-bench-shell-\(UUID().uuidString.prefix(8))"
        do {
            return try await provision(on: server, scratch: scratch)
        } catch {
            await server.stop()
            try? await Offload.run { try FileManager.default.removeItem(atPath: scratch) }
            throw error
        }
    }

    private static func provision(on server: BenchServer, scratch: String) async throws -> BenchWorkspace {
        let api = APIClient(baseURL: server.url, connections: 2)
        defer { api.close() }
        let admin = server.adminToken
        let posted = try await api.send("POST", "/api/v1/workspaces", token: admin, json: #"{"blueprint":"dev"}"#)
        guard posted.status == 202, let name = posted.string("workspace"), let job = posted.string("jobId") else {
            throw BenchError("provisioning failed: \(posted.status) \(posted.text)")
        }
        let result = try await api.finish(job: job, token: admin, follow: .poll)
        guard result == "succeeded" else { throw BenchError("provisioning \(name) \(result)") }
        let shown = try await api.send("GET", "/api/v1/workspaces/\(name)", token: admin)
        guard let podIP = shown.string("podIP") else { throw BenchError("workspace \(name) has no pod IP") }
        let kube = try KubeClient(config: try await KubeConfig.load(path: server.kubeconfig, environment: [:]))
        let secret: Secret
        do {
            secret = try await kube.get(Secret.self, name: "\(name)-client", namespace: "default")
            await kube.shutdown()
        } catch {
            await kube.shutdown()
            throw error
        }
        guard let key = secret.data?["id_ed25519"], let hostKey = secret.data?["ssh_host_ed25519_key.pub"] else {
            throw BenchError("the workspace secret lacks its keys")
        }
        try await Offload.run {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: "\(scratch)/key", contents: key, attributes: [.posixPermissions: 0o600])
            let line = String(decoding: hostKey, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            try "[\(podIP)]:2222 \(line)\n".write(toFile: "\(scratch)/known_hosts", atomically: true, encoding: .utf8)
        }
        return BenchWorkspace(server: server, name: name, podIP: podIP, user: "admin", scratch: scratch)
    }

    /// `ws://…/api/v1/workspaces/<name>/interactive?…` running `command` (an argv) with or without a TTY.
    func interactiveURL(command: [String], tty: Bool) -> String {
        var query = ["tty=\(tty)"]
        for argument in command {
            query.append("command=" + (argument.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? argument))
        }
        return server.url.replacingOccurrences(of: "http://", with: "ws://")
            + "/api/v1/workspaces/\(name)/interactive?" + query.joined(separator: "&")
    }

    /// The options of every direct OpenSSH connection: the workspace key, the pinned host key
    /// only, no prompts, port 2222.
    var sshOptions: [String] {
        [
            "-i", "\(scratch)/key", "-o", "UserKnownHostsFile=\(scratch)/known_hosts", "-o", "StrictHostKeyChecking=yes",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-p", "2222",
        ]
    }

    /// `sftp` arguments running the batch file `batch` over the same connection (its port flag is `-P`).
    func sftpArguments(batch: String) -> [String] {
        [
            "-i", "\(scratch)/key", "-o", "UserKnownHostsFile=\(scratch)/known_hosts", "-o", "StrictHostKeyChecking=yes",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-P", "2222", "-q", "-b", batch, "\(user)@\(podIP)",
        ]
    }

    /// `ssh` arguments running `command` (one remote command line) on the workspace; `tty` adds `-tt`.
    func sshArguments(_ command: String, tty: Bool, extra: [String] = []) -> [String] {
        sshOptions + extra + (tty ? ["-tt"] : ["-T"]) + ["\(user)@\(podIP)", command]
    }

    /// Stops the server and removes the scratch directory.
    func stop() async {
        await server.stop()
        let scratch = self.scratch
        try? await Offload.run { try FileManager.default.removeItem(atPath: scratch) }
    }
}

/// Runs `body` with a workspace and always stops it afterwards.
func withBenchWorkspace<T: Sendable>(_ options: BenchOptions, _ body: (BenchWorkspace) async throws -> T) async throws -> T {
    let workspace = try await BenchWorkspace.start(options)
    do {
        let result = try await body(workspace)
        await workspace.stop()
        return result
    } catch {
        await workspace.stop()
        throw error
    }
}
