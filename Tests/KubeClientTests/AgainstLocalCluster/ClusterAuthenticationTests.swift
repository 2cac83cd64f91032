import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import LocalCluster
import Testing

/// Every way the client authenticates, against the embedded API server over verified HTTPS:
/// client certificates from a kubeconfig, static bearer tokens, exec credential plugins and
/// service account tokens from the TokenRequest API.
@Suite struct ClusterAuthenticationTests {
    static let robot = UserInfo(name: "robot", groups: ["system:masters"])

    @Test func kubeconfigClientCertificateAuthenticates() async throws {
        try await withLocalCluster { cluster in
            let config = try await cluster.certificateConfig(user: "alice")
            #expect(config.server == cluster.address.url)
            #expect(config.namespace == "default")
            #expect(config.tls.clientCertificatePEM != nil && config.tls.clientKeyPEM != nil)
            #expect(config.tls.certificateAuthorityPEM == (try cluster.certificateAuthority()))
            try await cluster.withClient(config) { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "hello"), data: ["k": "v"]))
                #expect(try await client.get(ConfigMap.self, name: "hello").data == ["k": "v"])
            }
        }
    }

    @Test func serverIsVerifiedAgainstTheConfiguredCertificateAuthority() async throws {
        try await withLocalCluster(staticTokens: ["good-token": Self.robot]) { cluster in
            let unverified = KubeConfig(server: cluster.address.url, auth: .bearerToken("good-token"))
            try await cluster.withClient(unverified) { client in
                let error = await kubeError("TLS without the cluster CA") { _ = try await client.list(ConfigMap.self) }
                #expect(error?.isTransport == true)
                #expect(error?.httpStatus == nil)
            }
        }
    }

    @Test func staticBearerTokenAuthenticates() async throws {
        try await withLocalCluster(staticTokens: ["good-token": Self.robot]) { cluster in
            try await cluster.withClient(try cluster.tokenConfig("good-token")) { client in
                _ = try await client.create(Secret(metadata: ObjectMeta(name: "s"), stringData: ["k": "v"]))
                #expect(try await client.get(Secret.self, name: "s").data?["k"] == Data("v".utf8))
            }
        }
    }

    @Test func wrongOrMissingTokenIsUnauthorized() async throws {
        try await withLocalCluster(staticTokens: ["good-token": Self.robot]) { cluster in
            try await cluster.withClient(try cluster.tokenConfig("bad-token")) { client in
                let error = await kubeError("bad token") { _ = try await client.list(ConfigMap.self) }
                #expect(error?.isUnauthorized == true)
                #expect(error?.code == .unauthorized)
                #expect(error?.httpStatus == 401)
            }
            let anonymous = KubeConfig(server: cluster.address.url, tls: TLSOptions(certificateAuthorityPEM: try cluster.certificateAuthority()))
            try await cluster.withClient(anonymous) { client in
                let error = await kubeError("no credentials") { _ = try await client.list(ConfigMap.self) }
                #expect(error?.isUnauthorized == true)
            }
        }
    }

    /// Writes an exec credential plugin printing `token` (and counting its runs in `runs`) and a
    /// kubeconfig using it; returns the kubeconfig's path. The plugin is installed by a child
    /// process, so no file descriptor of ours is open on it when it runs.
    static func writeExecKubeconfig(_ cluster: ClusterFixture, token: String) async throws -> (kubeconfig: String, runs: String) {
        let directory = cluster.directory
        let plugin = directory.file("credential-plugin")
        let runs = directory.file("plugin-runs")
        let script = """
            #!/bin/sh
            echo run >> "$PLUGIN_RUNS"
            case "$KUBERNETES_EXEC_INFO" in
              *'"apiVersion":"client.authentication.k8s.io/v1"'*) ;;
              *) echo "unexpected exec info: $KUBERNETES_EXEC_INFO" >&2; exit 3 ;;
            esac
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n' "$1"

            """
        let ca = Data(try cluster.certificateAuthority()).base64EncodedString()
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: local
              cluster:
                server: \(cluster.address.url)
                certificate-authority-data: \(ca)
            users:
            - name: plugin-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(plugin)
                  args: ["\(token)"]
                  env:
                  - name: PLUGIN_RUNS
                    value: \(runs)
                  interactiveMode: Never
            contexts:
            - name: local
              context:
                cluster: local
                user: plugin-user
                namespace: default
            current-context: local

            """
        try await blocking {
            try directory.write("credential-plugin.src", script)
            try directory.write("kubeconfig-exec", kubeconfig)
            let install = try Program.run("/usr/bin/install", ["-m", "0755", directory.file("credential-plugin.src"), plugin])
            guard install.succeeded else { throw TestFailure("install exited with \(install.status)") }
        }
        return (directory.file("kubeconfig-exec"), runs)
    }

    static func runCount(_ path: String) async throws -> Int {
        try await blocking {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").count
        }
    }

    @Test func execPluginTokenAuthenticatesAndIsReusedAcrossRequests() async throws {
        try await withLocalCluster(staticTokens: ["plugin-token": Self.robot]) { cluster in
            let (path, runs) = try await Self.writeExecKubeconfig(cluster, token: "plugin-token")
            let config = try await KubeConfig.load(path: path, environment: [:])
            guard case .exec(let exec) = config.auth else {
                Issue.record("the kubeconfig did not load as an exec plugin: \(config.auth)")
                return
            }
            #expect(exec.args == ["plugin-token"])
            try await cluster.withClient(config) { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "via-plugin")))
                #expect(try await client.get(ConfigMap.self, name: "via-plugin").metadata.name == "via-plugin")
                _ = try await client.list(ConfigMap.self)
            }
            #expect(try await Self.runCount(runs) == 1)
        }
    }

    @Test func rejectedExecCredentialIsRefreshedOnceThenUnauthorized() async throws {
        try await withLocalCluster(staticTokens: ["plugin-token": Self.robot]) { cluster in
            let (path, runs) = try await Self.writeExecKubeconfig(cluster, token: "revoked-token")
            try await cluster.withClient(try await KubeConfig.load(path: path, environment: [:])) { client in
                let error = await kubeError("revoked plugin token") { _ = try await client.list(ConfigMap.self) }
                #expect(error?.isUnauthorized == true)
                #expect(error?.httpStatus == 401)
            }
            #expect(try await Self.runCount(runs) == 2)
        }
    }

    @Test func tokenRequestIssuesATokenThatAuthenticatesWhileTheAccountExists() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { admin in
                _ = try await admin.create(ServiceAccount(metadata: ObjectMeta(name: "workspace-agent")))
                let issued = try await admin.requestToken(serviceAccount: "workspace-agent", expirationSeconds: 3600)
                #expect(!issued.token.isEmpty)
                let expiry = try #require(issued.expirationTimestamp)
                #expect(expiry.date > Date().addingTimeInterval(3000))

                try await cluster.withClient(try cluster.tokenConfig(issued.token)) { agent in
                    _ = try await agent.create(ConfigMap(metadata: ObjectMeta(name: "from-agent")))
                    #expect(try await admin.get(ConfigMap.self, name: "from-agent").metadata.name == "from-agent")

                    try await admin.delete(ServiceAccount.self, name: "workspace-agent")
                    let error = await kubeError("token of a deleted account") { _ = try await agent.list(ConfigMap.self) }
                    #expect(error?.isUnauthorized == true)
                }

                let missing = await kubeError("token for a missing account") {
                    _ = try await admin.requestToken(serviceAccount: "nobody")
                }
                #expect(missing?.isNotFound == true)
            }
        }
    }

    @Test func tokenForAnotherAudienceDoesNotAuthenticate() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { admin in
                _ = try await admin.create(ServiceAccount(metadata: ObjectMeta(name: "agent")))
                let foreign = try await admin.requestToken(serviceAccount: "agent", audiences: ["https://vault.example"])
                try await cluster.withClient(try cluster.tokenConfig(foreign.token)) { client in
                    let error = await kubeError("token for another audience") { _ = try await client.list(ConfigMap.self) }
                    #expect(error?.isUnauthorized == true)
                }
            }
        }
    }
}
