import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server's in-cluster path, end to end over HTTPS: it finds the service account from
/// `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted `token`, `ca.crt` and `namespace`, works
/// within the shipped Role (RBAC enforced), and keeps working when the kubelet rotates the token.
@Suite struct InClusterServerTests {
    /// Provisions `blueprint` through the API and returns the workspace name once the job succeeded.
    static func provision(_ server: ServerHarness, _ blueprint: String, token: String? = nil) async throws -> String {
        let reply = try await server.request("POST", "/api/v1/workspaces", token: .some(token ?? server.adminToken), body: #"{"blueprint":"\#(blueprint)"}"#)
        #expect(reply.status == 202, "\(String(decoding: reply.body, as: UTF8.self))")
        let answer = try reply.json()
        let name = try #require(answer["workspace"] as? String)
        let job = try await server.finishedJob(try #require(answer["jobId"] as? String), token: token, within: 90)
        #expect(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
        return name
    }

    @Test func theServiceAccountFilesAreHonouredAndARotatedTokenIsPickedUpMidRun() async throws {
        try await InClusterFixture.with(layout: "") { fixture in
            let server = try await fixture.startServer()
            do {
                let health = try await server.request("GET", "/api/v1/healthcheck", token: .some(nil))
                #expect(health.status == 200, "\(String(decoding: health.body, as: UTF8.self))")
                #expect(try health.json()["kubernetes"] as? String == "ok")

                // No --namespace: the mounted `namespace` file decides where workspaces live.
                let first = try await Self.provision(server, "dev")
                let pod = try await fixture.admin.get(Pod.self, name: first, namespace: "cubicle-system")
                #expect(pod.metadata.namespace == "cubicle-system")

                // The kubelet rotates the token; the old one dies with the account it was issued for.
                let before = fixture.serverAccess.count
                let oldToken = try String(contentsOfFile: fixture.mount.path + "/token", encoding: .utf8)
                try await fixture.rotateToken(recreatingAccount: true)
                let newToken = try String(contentsOfFile: fixture.mount.path + "/token", encoding: .utf8)
                #expect(newToken != oldToken)
                let stale = try KubeClient(config: KubeConfig(
                    server: try #require(fixture.cluster.address?.url), namespace: "cubicle-system",
                    tls: TLSOptions(certificateAuthorityPEM: Array(try fixture.cluster.certificateAuthorityPEM.utf8)),
                    auth: .bearerToken(oldToken)))
                await #expect(throws: KubeError.self, "the old token must be refused after the rotation") {
                    _ = try await stale.list(Pod.self, namespace: "cubicle-system")
                }
                await stale.shutdown()

                // The server keeps working: every request from here on can only have used the new token.
                let second = try await Self.provision(server, "minimal")
                #expect(second != first)
                #expect(try await fixture.admin.get(Pod.self, name: second, namespace: "cubicle-system").metadata.name == second)
                let after = fixture.serverAccess.dropFirst(before)
                #expect(after.contains { $0.verb == "patch" && $0.resource == "pods" && $0.allowed }, "no pod was applied after the rotation")
                let denied = fixture.serverAccess.filter { !$0.allowed }
                #expect(denied.isEmpty, "denied: \(denied)")
                #expect(try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    @Test func theNamespaceFlagPutsWorkspacesInTheWorkspaceNamespaceVariant() async throws {
        try await InClusterFixture.with(layout: "workspace-namespace") { fixture in
            let server = try await fixture.startServer(namespace: "cubicle-workspaces", serverNamespace: "cubicle-system")
            do {
                let name = try await Self.provision(server, "dev")
                let pod = try await fixture.admin.get(Pod.self, name: name, namespace: "cubicle-workspaces")
                #expect(pod.metadata.namespace == "cubicle-workspaces")
                let elsewhere = fixture.serverAccess.filter { $0.namespace != "cubicle-workspaces" }
                #expect(elsewhere.isEmpty, "requests outside the workspace namespace: \(elsewhere)")
                // The workspace's own NetworkPolicy admits Cubicle's pods from the server namespace.
                let policies = try await fixture.admin.list(
                    ResourceType.networkPolicies, namespace: "cubicle-workspaces", options: ListOptions(labelSelector: "\(Labels.workspace)=\(name)"))
                let peer = try #require(policies.items.first?[path: ["spec", "ingress"]]?.arrayValue?.first?["from"]?.arrayValue?.first)
                #expect(peer[path: ["namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"]]?.stringValue == "cubicle-system")
                #expect(peer[path: ["podSelector", "matchLabels", "app.kubernetes.io/name"]]?.stringValue == "cubicle")
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}
