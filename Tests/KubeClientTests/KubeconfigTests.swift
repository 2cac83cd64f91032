import CubicleTestSupport
import CubicleModel
import Foundation
import Testing

@testable import KubeClient

@Suite struct KubeconfigTests {
    static let cert = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN EC PRIVATE KEY-----\nMHcfake\n-----END EC PRIVATE KEY-----\n"
    static func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func parsesEveryClusterUserAndContextField() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("certs"), withIntermediateDirectories: true)
        try dir.write("certs/ca.crt", Self.cert)
        try dir.write("certs/client.crt", Self.cert)
        try dir.write(
            "config",
            """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: kube
              cluster:
                server: https://10.0.0.1:6443/prefix
                certificate-authority: certs/ca.crt
                proxy-url: http://proxy.local:3128
                tls-server-name: kubernetes.default
            users:
            - name: alice
              user:
                client-certificate: certs/client.crt
                client-key-data: \(Self.b64(Self.key))
            contexts:
            - name: dev
              context:
                cluster: kube
                user: alice
                namespace: workspaces
            """)
        let config = try KubeConfig.loadSync(path: dir.file("config"), environment: [:])
        #expect(config.server == "https://10.0.0.1:6443/prefix")
        #expect(config.tls.certificateAuthorityPEM == Array(Self.cert.utf8))
        #expect(config.tls.clientCertificatePEM == Array(Self.cert.utf8))
        #expect(config.tls.clientKeyPEM == Array(Self.key.utf8))
        #expect(config.tls.serverName == "kubernetes.default")
        #expect(config.tls.insecureSkipVerify == false)
        #expect(config.proxyURL == "http://proxy.local:3128")
        #expect(config.namespace == "workspaces")
        #expect(config.auth == .none)
        #expect(config.origin == "kubeconfig \(dir.file("config")) (context dev)")
    }

    @Test func namedContextWinsOverCurrentAndAuthFormsResolve() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("token", "file-token\n")
        try dir.write(
            "config",
            """
            current-context: a
            clusters:
            - name: c
              cluster: {server: "https://c:443", insecure-skip-tls-verify: true, certificate-authority-data: \(Self.b64(Self.cert))}
            users:
            - name: t
              user: {token: static-token}
            - name: f
              user: {tokenFile: token}
            - name: e
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ./bin/plugin
                  args: [get-token, --cluster, c]
                  env: [{name: FOO, value: bar}]
                  provideClusterInfo: true
                  installHint: install the plugin
                  interactiveMode: IfAvailable
            contexts:
            - {name: a, context: {cluster: c, user: t}}
            - {name: b, context: {cluster: c, user: f}}
            - {name: x, context: {cluster: c, user: e}}
            - {name: anonymous, context: {cluster: c}}
            """)
        let a = try KubeConfig.loadSync(path: dir.file("config"), environment: [:])
        #expect(a.auth == .bearerToken("static-token"))
        #expect(a.namespace == "default")
        #expect(a.tls.insecureSkipVerify)
        let b = try KubeConfig.loadSync(path: dir.file("config"), context: "b", environment: [:])
        #expect(b.auth == .tokenFile(path: dir.file("token")))
        let x = try KubeConfig.loadSync(path: dir.file("config"), context: "x", environment: [:])
        guard case .exec(let exec) = x.auth else {
            Issue.record("expected exec auth, got \(x.auth)")
            return
        }
        #expect(exec.command == dir.file("bin/plugin"))
        #expect(exec.args == ["get-token", "--cluster", "c"])
        #expect(exec.env == [HTTPHeader("FOO", "bar")])
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        #expect(exec.installHint == "install the plugin")
        #expect(exec.cluster?.server == "https://c:443")
        #expect(exec.cluster?.certificateAuthorityPEM == Array(Self.cert.utf8))
        let anonymous = try KubeConfig.loadSync(path: dir.file("config"), context: "anonymous", environment: [:])
        #expect(anonymous.auth == .none)
    }

    @Test func kubeconfigListMergesWithFirstDefinitionWinning() throws {
        let one = try TemporaryDirectory()
        let two = try TemporaryDirectory()
        defer {
            one.remove()
            two.remove()
        }
        try two.write("b.crt", Self.cert)
        try one.write(
            "config",
            """
            current-context: first
            clusters:
            - {name: shared, cluster: {server: "https://one:1"}}
            users:
            - {name: u, user: {token: one-token}}
            contexts:
            - {name: first, context: {cluster: shared, user: u, namespace: one}}
            """)
        try two.write(
            "config",
            """
            current-context: second
            clusters:
            - {name: shared, cluster: {server: "https://two:2"}}
            - {name: own, cluster: {server: "https://own:3", certificate-authority: b.crt}}
            users:
            - {name: u, user: {token: two-token}}
            contexts:
            - {name: first, context: {cluster: own, user: u}}
            - {name: second, context: {cluster: own, user: u, namespace: two}}
            """)
        let environment = ["KUBECONFIG": "\(one.file("config")):/nonexistent/kubeconfig:\(two.file("config"))"]
        let merged = try KubeConfig.loadSync(environment: environment)
        #expect(merged.server == "https://one:1")
        #expect(merged.namespace == "one")
        #expect(merged.auth == .bearerToken("one-token"))
        let second = try KubeConfig.loadSync(context: "second", environment: environment)
        #expect(second.server == "https://own:3")
        #expect(second.tls.certificateAuthorityPEM == Array(Self.cert.utf8))  // relative to the second file's directory
        #expect(second.auth == .bearerToken("one-token"))  // user "u" from the first file
        #expect(second.namespace == "two")
        #expect(KubeConfig.kubeconfigPaths(path: nil, environment: ["HOME": "/home/x"]) == ["/home/x/.kube/config"])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let label: String
        let yaml: String
        /// The expected message with `FILE` for the kubeconfig path.
        let message: String
        var context: String? = nil
        var testDescription: String { label }
    }

    static let badCases: [BadCase] = [
        BadCase(label: "garbled YAML", yaml: "clusters: [\n  - {", message: "kubeconfig FILE: not valid YAML"),
        BadCase(
            label: "bad base64",
            yaml: """
                current-context: c
                clusters: [{name: k, cluster: {server: "https://k"}}]
                users: [{name: u, user: {client-key-data: "not*base64"}}]
                contexts: [{name: c, context: {cluster: k, user: u}}]
                """,
            message: "kubeconfig FILE: users[0].user.client-key-data: not valid base64"),
        BadCase(
            label: "missing server",
            yaml: "current-context: c\nclusters: [{name: k, cluster: {insecure-skip-tls-verify: true}}]\ncontexts: [{name: c, context: {cluster: k}}]",
            message: "kubeconfig FILE: clusters[0].cluster.server: missing"),
        BadCase(
            label: "server not a URL",
            yaml: "current-context: c\nclusters: [{name: k, cluster: {server: \"10.0.0.1:6443\"}}]\ncontexts: [{name: c, context: {cluster: k}}]",
            message: "kubeconfig FILE: clusters[0].cluster.server: not an http(s) URL: 10.0.0.1:6443"),
        BadCase(
            label: "missing CA file",
            yaml:
                "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\", certificate-authority: nope.crt}}]\ncontexts: [{name: c, context: {cluster: k}}]",
            message: "kubeconfig FILE: clusters[0].cluster.certificate-authority: cannot read DIR/nope.crt: no such file"),
        BadCase(
            label: "CA data not PEM",
            yaml:
                "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\", certificate-authority-data: aGVsbG8=}}]\ncontexts: [{name: c, context: {cluster: k}}]",
            message: "kubeconfig FILE: clusters[0].cluster.certificate-authority-data: not a PEM certificate"),
        BadCase(
            label: "unknown cluster",
            yaml: "current-context: c\ncontexts: [{name: c, context: {cluster: ghost, user: u}}]",
            message: "kubeconfig FILE: contexts[0].context.cluster: cluster \"ghost\" not found"),
        BadCase(
            label: "unknown user",
            yaml: "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\"}}]\ncontexts: [{name: c, context: {cluster: k, user: ghost}}]",
            message: "kubeconfig FILE: contexts[0].context.user: user \"ghost\" not found"),
        BadCase(label: "no current context", yaml: "clusters: []", message: "kubeconfig FILE: current-context is not set and no context was named"),
        BadCase(
            label: "unknown named context", yaml: "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]",
            message: "kubeconfig FILE: context \"nope\" not found", context: "nope"),
        BadCase(
            label: "bad boolean",
            yaml: "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\", insecure-skip-tls-verify: maybe}}]",
            message: "kubeconfig FILE: clusters[0].cluster.insecure-skip-tls-verify: expected true or false"),
        BadCase(
            label: "unsupported exec version",
            yaml: "users: [{name: u, user: {exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}}}]",
            message:
                "kubeconfig FILE: users[0].user.exec.apiVersion: unsupported version \"client.authentication.k8s.io/v1alpha1\"; expected one of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1"
        ),
        BadCase(
            label: "certificate without key",
            yaml:
                "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\"}}]\nusers: [{name: u, user: {client-certificate-data: \(b64(cert))}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]",
            message: "kubeconfig FILE: users[0].user: a client certificate needs a client key"),
        BadCase(
            label: "key data not a key",
            yaml:
                "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k\"}}]\nusers: [{name: u, user: {client-certificate-data: \(b64(cert)), client-key-data: \(b64(cert))}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]",
            message: "kubeconfig FILE: users[0].user.client-key-data: not a PEM private key"),
        BadCase(label: "clusters not a list", yaml: "clusters: {a: b}", message: "kubeconfig FILE: clusters: expected a list"),
        BadCase(label: "entry without name", yaml: "users: [{user: {token: x}}]", message: "kubeconfig FILE: users[0]: missing name"),
        BadCase(label: "document not a mapping", yaml: "- a\n- b\n", message: "kubeconfig FILE: the document is not a mapping"),
    ]

    @Test(arguments: badCases)
    func garbledKubeconfigErrorNamesFileAndField(_ bad: BadCase) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("config", bad.yaml)
        do {
            _ = try KubeConfig.loadSync(path: dir.file("config"), context: bad.context, environment: [:])
            Issue.record("loaded a bad kubeconfig")
        } catch let error as KubeError {
            let expected = bad.message.replacingOccurrences(of: "FILE", with: dir.file("config"))
                .replacingOccurrences(of: "DIR", with: dir.path)
            #expect(error.message.hasPrefix(expected), "got: \(error.message)")
        }
    }

    @Test func missingExplicitFileAndEmptyListAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: KubeError.self) { try KubeConfig.loadSync(path: dir.file("missing"), environment: [:]) }
        do {
            _ = try KubeConfig.loadSync(path: dir.file("missing"), environment: [:])
        } catch let error as KubeError {
            #expect(error.message == "kubeconfig \(dir.file("missing")): cannot read \(dir.file("missing")): no such file")
        }
        do {
            _ = try KubeConfig.loadSync(environment: ["KUBECONFIG": "\(dir.file("a")):\(dir.file("b"))"])
            Issue.record("loaded from missing files")
        } catch let error as KubeError {
            #expect(error.message == "kubeconfig \(dir.file("a")):\(dir.file("b")): none of these files exist")
        }
    }

    @Test func asyncLoadReadsOffThePool() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("config", "current-context: c\nclusters: [{name: k, cluster: {server: \"https://k:1\"}}]\ncontexts: [{name: c, context: {cluster: k}}]")
        let config = try await KubeConfig.load(path: dir.file("config"), environment: [:])
        #expect(config.server == "https://k:1")
        let discovered = try await KubeConfig.discover(environment: ["KUBECONFIG": dir.file("config")])
        #expect(discovered?.server == "https://k:1")
        let none = try await KubeConfig.discover(environment: ["HOME": dir.path], serviceAccountDirectory: dir.file("none"))
        #expect(none == nil)
    }
}
