import CubicleTestSupport
import CubicleModel
import Foundation
import Testing

@testable import KubeClient

/// In-cluster service account configuration with token rotation, and exec credential plugins.
@Suite struct CredentialTests {
    static func identities(_ server: KubeTestServer) async throws -> [String] {
        try await server.requests().map { $0["identity"]?.stringValue ?? "anonymous" }
    }

    static func serviceAccountDirectory(_ server: KubeTestServer, token: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("serviceaccount")
        try dir.write("token", token + "\n")
        try dir.write("ca.crt", try String(contentsOfFile: server.pki.caCertificate, encoding: .utf8))
        try dir.write("namespace", "cubicle\n")
        return dir
    }

    @Test func inClusterConfigReadsTheFakedServiceAccountDirectory() async throws {
        try await withKubeServer(tokens: ["sa-1"]) { server in
            let dir = try Self.serviceAccountDirectory(server, token: "sa-1")
            defer { dir.remove() }
            let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(server.port)]
            #expect(KubeConfig.isInCluster(environment: environment))
            let config = try await KubeConfig.inCluster(directory: dir.path, environment: environment)
            #expect(config.server == "https://127.0.0.1:\(server.port)")
            #expect(config.namespace == "cubicle")
            #expect(config.auth == .tokenFile(path: dir.file("token")))
            let discovered = try await KubeConfig.discover(environment: environment.merging(["HOME": dir.path]) { $1 }, serviceAccountDirectory: dir.path)
            #expect(discovered?.server == config.server)
            try await withClient(try KubeClient(config: config)) { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c")))
            }
            let request = try #require(try await server.requests().first)
            #expect(request["path"] == "/api/v1/namespaces/cubicle/configmaps")
            #expect(request["identity"] == "token:sa-1")
        }
    }

    @Test func rotatedTokenFileIsRereadAfterTheRecheckInterval() async throws {
        try await withKubeServer(tokens: ["sa-1", "sa-2"]) { server in
            let dir = try Self.serviceAccountDirectory(server, token: "sa-1")
            defer { dir.remove() }
            let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(server.port)]
            let clock = ManualTimeSource()
            let config = try await KubeConfig.inCluster(directory: dir.path, environment: environment)
            try await withClient(try KubeClient(config: config, timeSource: clock)) { client in
                _ = try await client.list(Pod.self)
                try dir.write("token", "sa-2\n")
                _ = try await client.list(Pod.self)  // within 10 s: the cached token
                clock.advance(by: 11)
                _ = try await client.list(Pod.self)
            }
            #expect(try await Self.identities(server) == ["token:sa-1", "token:sa-1", "token:sa-2"])
        }
    }

    @Test func rotatedTokenFileIsRereadOn401AndTheRequestRetriedOnce() async throws {
        try await withKubeServer(tokens: ["sa-1"]) { server in
            let dir = try Self.serviceAccountDirectory(server, token: "sa-1")
            defer { dir.remove() }
            let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(server.port)]
            let config = try await KubeConfig.inCluster(directory: dir.path, environment: environment)
            try await withClient(try KubeClient(config: config, timeSource: ManualTimeSource())) { client in
                _ = try await client.list(Pod.self)
                try dir.write("token", "sa-2\n")
                try await server.command(["cmd": "tokens", "tokens": ["sa-2"]])
                _ = try await client.list(Pod.self)
                // A token that is rejected and has not rotated fails after one refresh, not in a loop.
                try await server.command(["cmd": "tokens", "tokens": []])
                do {
                    _ = try await client.list(Pod.self)
                    Issue.record("a revoked token worked")
                } catch let error as KubeError {
                    #expect(error.isUnauthorized)
                }
            }
            #expect(try await Self.identities(server) == ["token:sa-1", "anonymous", "token:sa-2", "anonymous"])
        }
    }

    @Test func inClusterErrorsNameWhatIsMissing() async throws {
        let dir = try TemporaryDirectory("serviceaccount")
        defer { dir.remove() }
        do {
            _ = try await KubeConfig.inCluster(directory: dir.path, environment: [:])
            Issue.record("no environment accepted")
        } catch let error as KubeError {
            #expect(error.message.contains("KUBERNETES_SERVICE_HOST"))
        }
        let environment = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        do {
            _ = try await KubeConfig.inCluster(directory: dir.path, environment: environment)
            Issue.record("no token accepted")
        } catch let error as KubeError {
            #expect(error.message.contains(dir.file("token")))
        }
        try dir.write("token", "t")
        try dir.write("ca.crt", "garbage")
        do {
            _ = try await KubeConfig.inCluster(directory: dir.path, environment: environment)
            Issue.record("a garbage CA accepted")
        } catch let error as KubeError {
            #expect(error.message.contains("\(dir.file("ca.crt")) is not a PEM certificate"))
        }
    }

    /// Writes an exec plugin that counts its runs, records its inputs and prints a credential.
    /// The script is written as `plugin.src` and installed by `install(1)`, so the executable's
    /// only write descriptor lives in that short-lived process: a child forked meanwhile by
    /// another test in this process cannot inherit it and make exec fail with ETXTBSY.
    static func plugin(in dir: TemporaryDirectory, body: String) async throws -> String {
        try dir.write(
            "plugin.src",
            """
            #!/bin/sh
            n=$(cat '\(dir.file("count"))' 2>/dev/null || echo 0)
            n=$((n + 1))
            echo $n > '\(dir.file("count"))'
            printf '%s' "$KUBERNETES_EXEC_INFO" > '\(dir.file("info.json"))'
            echo "$FOO $*" > '\(dir.file("args"))'
            \(body)
            """)
        let source = dir.file("plugin.src"), target = dir.file("plugin.sh")
        let status = try await blocking { () -> Int32 in
            try Program.run("/usr/bin/install", ["-m", "0755", source, target]).status
        }
        guard status == 0 else { throw TestFailure("install(1) of the test plugin failed: \(status)") }
        return target
    }

    static func runs(_ dir: TemporaryDirectory) throws -> Int { Int(try dir.read("count").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }

    @Test func execPluginRunsOnceWhileValidAndAgainAfterExpiry() async throws {
        try await withKubeServer(tokens: ["exec-token-1", "exec-token-2"]) { server in
            let dir = try TemporaryDirectory("exec")
            defer { dir.remove() }
            let clock = ManualTimeSource()  // 2027-01-15T08:00:00Z
            let command = try await Self.plugin(
                in: dir,
                body: """
                    if [ $n = 1 ]; then exp=2027-01-15T09:00:00Z; else exp=2027-01-15T23:00:00Z; fi
                    echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-'$n'","expirationTimestamp":"'$exp'"}}'
                    """)
            var config = try server.tokenConfig("unused")
            config.auth = .exec(
                ExecCredentialConfig(
                    command: command, args: ["--cluster", "k"], env: [HTTPHeader("FOO", "bar")], provideClusterInfo: true,
                    cluster: ExecClusterInfo(server: server.url, tlsServerName: "kube.test")))
            try await withClient(try KubeClient(config: config, timeSource: clock)) { client in
                _ = try await client.list(Pod.self)
                _ = try await client.list(Pod.self)
                #expect(try Self.runs(dir) == 1)
                clock.advance(by: 2 * 3600)
                _ = try await client.list(Pod.self)
                #expect(try Self.runs(dir) == 2)
            }
            #expect(try await Self.identities(server) == ["token:exec-token-1", "token:exec-token-1", "token:exec-token-2"])
            let info = try JSONValue.parse(Array(try dir.read("info.json").utf8))
            #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
            #expect(info["kind"] == "ExecCredential")
            #expect(info[path: ["spec", "interactive"]] == false)
            #expect(info[path: ["spec", "cluster", "server"]] == .string(server.url))
            #expect(info[path: ["spec", "cluster", "tls-server-name"]] == "kube.test")
            #expect(try dir.read("args") == "bar --cluster k\n")
        }
    }

    @Test func execPluginIsRerunAfter401() async throws {
        try await withKubeServer(tokens: ["exec-token-1"]) { server in
            let dir = try TemporaryDirectory("exec")
            defer { dir.remove() }
            let command = try await Self.plugin(
                in: dir,
                body: """
                    echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"exec-token-'$n'"}}'
                    """)
            var config = try server.tokenConfig("unused")
            config.auth = .exec(ExecCredentialConfig(command: command, apiVersion: "client.authentication.k8s.io/v1beta1"))
            try await withClient(try KubeClient(config: config)) { client in
                _ = try await client.list(Pod.self)
                try await server.command(["cmd": "tokens", "tokens": ["exec-token-2"]])
                _ = try await client.list(Pod.self)
                #expect(try Self.runs(dir) == 2)
            }
            #expect(try await Self.identities(server) == ["token:exec-token-1", "anonymous", "token:exec-token-2"])
        }
    }

    @Test func execPluginCertificateIsUsedForTLS() async throws {
        try await withKubeServer { server in
            let dir = try TemporaryDirectory("exec")
            defer { dir.remove() }
            let cert = try String(contentsOfFile: server.pki.clientCertificate, encoding: .utf8)
            let key = try String(contentsOfFile: server.pki.clientKey, encoding: .utf8)
            let credential: JSONValue = [
                "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                "status": ["clientCertificateData": .string(cert), "clientKeyData": .string(key)],
            ]
            try dir.write("credential.json", String(decoding: credential.serialized(), as: UTF8.self))
            let command = try await Self.plugin(in: dir, body: "cat '\(dir.file("credential.json"))'")
            var config = KubeConfig(server: server.url, tls: TLSOptions(certificateAuthorityPEM: try server.pki.bytes(server.pki.caCertificate)))
            config.auth = .exec(ExecCredentialConfig(command: command))
            try await withClient(try KubeClient(config: config)) { client in
                _ = try await client.list(Pod.self)
            }
            #expect(try await Self.identities(server) == ["cert:alice"])
        }
    }

    @Test func execPluginFailuresAreClearErrors() async throws {
        let dir = try TemporaryDirectory("exec")
        defer { dir.remove() }
        let failing = try await Self.plugin(in: dir, body: "echo boom >&2; exit 3")
        let config = KubeConfig(server: "https://127.0.0.1:1", auth: .exec(ExecCredentialConfig(command: failing)))
        try await withClient(try KubeClient(config: config)) { client in
            do {
                _ = try await client.list(Pod.self)
                Issue.record("a failing plugin authenticated")
            } catch let error as KubeError {
                #expect(error.code == .unauthorized)
                #expect(error.message == "exec plugin \(failing): exit status 3: boom")
            }
        }
        let missing = KubeConfig(
            server: "https://127.0.0.1:1", auth: .exec(ExecCredentialConfig(command: "cubicle-no-such-plugin", installHint: "brew install it")))
        try await withClient(try KubeClient(config: missing, environment: ["PATH": "/usr/bin:/bin"])) { client in
            do {
                _ = try await client.list(Pod.self)
                Issue.record("a missing plugin authenticated")
            } catch let error as KubeError {
                #expect(error.message == "exec plugin cubicle-no-such-plugin: executable not found\nbrew install it")
            }
        }
        let wrongVersion = try await Self.plugin(
            in: dir, body: #"echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}'"#)
        let mismatched = KubeConfig(server: "https://127.0.0.1:1", auth: .exec(ExecCredentialConfig(command: wrongVersion)))
        try await withClient(try KubeClient(config: mismatched)) { client in
            do {
                _ = try await client.list(Pod.self)
                Issue.record("a mismatched answer authenticated")
            } catch let error as KubeError {
                #expect(error.message.contains("expected client.authentication.k8s.io/v1"))
            }
        }
    }

    @Test func execCredentialParsingChecksTheAnswer() throws {
        let config = ExecCredentialConfig(command: "p")
        #expect(throws: KubeError.self) { try ExecPlugin.parse(Array("not json".utf8), config: config) }
        #expect(throws: KubeError.self) {
            try ExecPlugin.parse(Array(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#.utf8), config: config)
        }
        #expect(throws: KubeError.self) {
            try ExecPlugin.parse(
                Array(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}}"#.utf8),
                config: config)
        }
        let ok = try ExecPlugin.parse(
            Array(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2027-01-15T09:00:00Z"}}"#.utf8),
            config: config)
        #expect(ok.token == "t")
        #expect(ok.expiration == RFC3339.date(from: "2027-01-15T09:00:00Z"))
    }
}
