import App
import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Logging
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The settings of a real-cluster run, from the environment (docs/deploying.md, "End-to-end tests").
struct E2ESettings: Sendable {
    /// `CUBICLE_E2E_KUBECONFIG`: the cluster to run against. Unset: the suite does nothing.
    let kubeconfig: String
    /// `CUBICLE_E2E_CONTEXT`: the kubeconfig context (default: the current one).
    let context: String?
    /// `CUBICLE_E2E_NAMESPACE`: where workspaces go (default `cubicle-e2e`; created if missing).
    let namespace: String
    /// `CUBICLE_E2E_BLUEPRINT`: the blueprint to provision (default `dev`, whose image
    /// `cubicle/workspace:debian-12` must be pullable by the cluster, e.g. `kind load docker-image`).
    let blueprint: String
    /// `CUBICLE_E2E_SSH_DIRECT=1`: pod IPs are routable from this machine (e.g. `cubicle local-cluster`),
    /// so ssh goes to the pod directly instead of through `kubectl port-forward`.
    let sshDirect: Bool
    /// The workspace's pod IP when `sshDirect` (set once the workspace runs).
    var directPodIP: String?

    static let current: E2ESettings? = {
        let environment = ProcessInfo.processInfo.environment
        guard let kubeconfig = environment["CUBICLE_E2E_KUBECONFIG"], !kubeconfig.isEmpty else { return nil }
        return E2ESettings(
            kubeconfig: kubeconfig, context: environment["CUBICLE_E2E_CONTEXT"].flatMap { $0.isEmpty ? nil : $0 },
            namespace: environment["CUBICLE_E2E_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "cubicle-e2e",
            blueprint: environment["CUBICLE_E2E_BLUEPRINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "dev",
            sshDirect: environment["CUBICLE_E2E_SSH_DIRECT"] == "1")
    }()

    /// The repository root (this file is Tests/E2ETests/RealClusterTests.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}

/// Provisioning and SSH against a real cluster. Runs only when CUBICLE_E2E_KUBECONFIG names a
/// kubeconfig (kind, k3d, or any cluster whose nodes can pull the workspace image); otherwise
/// Swift Testing records the one-line reason below and the suite does nothing.
@Suite(
    .serialized,
    .enabled(if: E2ESettings.current != nil, "CUBICLE_E2E_KUBECONFIG is not set: no real cluster to run the end-to-end suite against")
)
struct RealClusterTests {
    @Test func provisionReachesRunningSSHLogsInWithThePinnedHostKeyThenStopAndDeleteClean() async throws {
        let settings = try #require(E2ESettings.current)
        let kube = try KubeClient(config: try await KubeConfig.load(path: settings.kubeconfig, context: settings.context, environment: [:]))
        do {
            try await run(settings, kube)
        } catch {
            await kube.shutdown()
            throw error
        }
        await kube.shutdown()
    }

    private func run(_ settings: E2ESettings, _ kube: KubeClient) async throws {
        do {
            _ = try await kube.create(Namespace(metadata: ObjectMeta(name: settings.namespace)))
        } catch let error as KubeError where error.isAlreadyExists {}

        try await E2EServer.with(settings) { server in
            let health = try await server.request("GET", "/api/v1/healthcheck", token: nil)
            #expect(health.status == 200, "\(health.text)")

            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"\#(settings.blueprint)"}"#)
            #expect(reply.status == 202, "\(reply.text)")
            let name = try #require(reply.json["workspace"] as? String)
            let provisioned = try await server.finishedJob(try #require(reply.json["jobId"] as? String), within: 600)
            #expect(provisioned["result"] as? String == "succeeded", "\(provisioned)")
            let workspace = try await server.request("GET", "/api/v1/workspaces/\(name)").json
            #expect(workspace["status"] as? String == "Running", "\(workspace)")

            // Pod IPs are rarely routable from outside a cluster; `kubectl port-forward` is (unless CUBICLE_E2E_SSH_DIRECT).
            let secret = try await kube.get(Secret.self, name: "\(name)-client", namespace: settings.namespace)
            let key = String(decoding: try #require(secret.data?["id_ed25519"]), as: UTF8.self)
            let hostKey = String(decoding: try #require(secret.data?["ssh_host_ed25519_key.pub"]), as: UTF8.self)
            var target = settings
            if settings.sshDirect { target.directPodIP = try #require(workspace["podIP"] as? String) }
            let ssh = try await SSHThroughPortForward.run(
                target, pod: name, clientKey: key, hostKey: hostKey, user: "admin", command: "id -un; echo $HOME")
            #expect(ssh.status == 0, "\(ssh.output)")
            #expect(ssh.output.hasPrefix("admin\n/home/admin\n"), "\(ssh.output)")

            let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json
            let stopped = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 300)
            #expect(stopped["result"] as? String == "succeeded")
            let delete = try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true").json
            let deleted = try await server.finishedJob(try #require(delete["jobId"] as? String), within: 300)
            #expect(deleted["result"] as? String == "succeeded")
            let left = try await kube.list(Pod.self, namespace: settings.namespace, options: ListOptions(labelSelector: "\(Labels.workspace)=\(name)"))
            #expect(left.items.isEmpty)
        }
    }
}
