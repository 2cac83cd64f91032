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

    @Test func theMountedFilesDecideTrustIdentityAndNamespaceThroughTheDataSymlink() async throws {
        try await InClusterFixture.with(layout: "") { fixture in
            let environment = try fixture.podEnvironment
            let config = try await KubeConfig.inCluster(directory: fixture.mount.path, environment: environment)
            #expect(config.namespace == "cubicle-system")
            #expect(config.auth == .tokenFile(path: fixture.mount.path + "/token"))
            let client = try KubeClient(config: config)
            _ = try await client.list(Pod.self)  // the namespace from the file; allowed by the Role
            await client.shutdown()
            #expect(fixture.serverAccess.last?.namespace == "cubicle-system")
            #expect(fixture.serverAccess.last?.allowed == true)

            // Another CA in ca.crt: the same apiserver is no longer trusted.
            let foreign = try await Self.selfSignedCertificate(in: fixture.directory)
            let token = try String(contentsOfFile: fixture.mount.path + "/token", encoding: .utf8)
            try await fixture.mount.publish(token: token, certificateAuthority: foreign, namespace: "cubicle-system")
            let distrusting = try KubeClient(config: try await KubeConfig.inCluster(directory: fixture.mount.path, environment: environment))
            await #expect(throws: KubeError.self, "a server certificate from another CA must be refused") {
                _ = try await distrusting.list(Pod.self)
            }
            await distrusting.shutdown()
        }
    }

    /// A fresh self-signed CA certificate (PEM) from openssl.
    static func selfSignedCertificate(in directory: TemporaryDirectory) async throws -> String {
        let key = directory.file("foreign.key"), certificate = directory.file("foreign.crt")
        let status = try await blocking { () -> Int32 in
            try Program.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
                "-days", "1", "-subj", "/CN=foreign-ca",
            ]).status
        }
        guard status == 0 else { throw TestFailure("openssl req failed: \(status)") }
        return try String(contentsOfFile: certificate, encoding: .utf8)
    }
}
