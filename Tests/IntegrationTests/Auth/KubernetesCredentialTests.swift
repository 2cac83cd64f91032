import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// `GET /me/credentials/kubernetes`: a ServiceAccount token minted per request through the
/// TokenRequest API of the embedded cluster, which then accepts it as that ServiceAccount.
@Suite struct KubernetesCredentialTests {
    /// Runs kubectl with `arguments`; stdout and stderr together.
    static func kubectl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run("/usr/bin/kubectl", arguments: arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
    }

    @Test func aKubernetesCredentialIsAFreshServiceAccountTokenTheClusterAcceptsAndIsNeverStored() async throws {
        try await ServerHarness.with { server in
            let frank = try await server.makeUser("frank")
            _ = try await server.kube.create(ServiceAccount(metadata: ObjectMeta(name: "deployer")), namespace: "default")
            #expect(try await server.request(
                "POST", "/api/v1/users/frank/credentials/kubernetes", body: #"{"scope":"default","subject":"deployer","secret":"x"}"#).status == 400)
            #expect(try await server.request(
                "POST", "/api/v1/users/frank/credentials/kubernetes", body: #"{"scope":"Not A Namespace","subject":"deployer"}"#).status == 400)
            #expect(try await server.request("POST", "/api/v1/users/frank/credentials/kubernetes", body: #"{"scope":"default","subject":"deployer"}"#).status == 201)

            let first = try await server.request("GET", "/api/v1/me/credentials/kubernetes?scope=default", token: .some(frank))
            #expect(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
            let body = try first.json()
            let token = try #require(body["secret"] as? String)
            #expect(token.split(separator: ".").count == 3)
            #expect(body["subject"] as? String == "deployer" && body["serviceScope"] as? String == "default")
            let expiresAt = try #require((body["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(expiresAt.timeIntervalSinceNow - 3600) < 120)
            let second = try await server.request("GET", "/api/v1/me/credentials/kubernetes?scope=default", token: .some(frank)).json()
            #expect(second["secret"] as? String != token, "every request mints a new token")
            // Nothing for another namespace, nothing in the list, nothing stored.
            #expect(try await server.request("GET", "/api/v1/me/credentials/kubernetes?scope=kube-system", token: .some(frank)).status == 404)
            #expect(!String(decoding: try await server.request("GET", "/api/v1/me/credentials", token: .some(frank)).body, as: UTF8.self).contains(token))
            let dump = try await UserAdminTests.dump(server)
            #expect(dump.contains("INSERT INTO credentials") && !dump.contains(token))

            // The cluster takes the minted token as the ServiceAccount (RBAC may still say no).
            let directory = try TemporaryDirectory("cubicle-kcred")
            defer { directory.remove() }
            let address = try #require(server.cluster.address)
            try directory.write("ca.pem", server.cluster.certificateAuthorityPEM)
            let asToken = ["--kubeconfig", "/dev/null", "--server", address.url, "--certificate-authority", directory.file("ca.pem")]
            let used = try await Self.kubectl(asToken + ["--token", token, "get", "configmaps", "-n", "default"])
            #expect(used.status == 0 || used.output.contains("system:serviceaccount:default:deployer"), "\(used.output)")
            let forged = try await Self.kubectl(asToken + ["--token", String(token.dropLast(3)) + "AAA", "get", "configmaps", "-n", "default"])
            #expect(forged.status != 0 && forged.output.lowercased().contains("unauthorized"), "\(forged.output)")

            // kubectl's own TokenRequest against the same subresource; a missing ServiceAccount is 404.
            let kubeconfig = directory.file("admin.kubeconfig")
            try await server.cluster.writeKubeconfig(to: kubeconfig)
            let created = try await Self.kubectl(["--kubeconfig", kubeconfig, "create", "token", "deployer", "-n", "default"])
            #expect(created.status == 0 && created.output.split(separator: ".").count == 3, "\(created.output)")
            let ghost = try await Self.kubectl(["--kubeconfig", kubeconfig, "create", "token", "ghost", "-n", "default"])
            #expect(ghost.status != 0 && ghost.output.contains("not found"), "\(ghost.output)")

            // A record whose ServiceAccount is gone answers 404, not a server error.
            #expect(try await server.request("POST", "/api/v1/users/frank/credentials/kubernetes", body: #"{"scope":"other","subject":"ghost"}"#).status == 201)
            let gone = try await server.request("GET", "/api/v1/me/credentials/kubernetes?scope=other", token: .some(frank))
            #expect(gone.status == 404, "\(String(decoding: gone.body, as: UTF8.self))")
        }
    }
}
