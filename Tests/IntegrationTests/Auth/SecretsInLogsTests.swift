import Crypto
import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// A real `cubicle serve` at debug level (every request logged) issues and takes every kind of
/// secret; none of them may appear in its log, and the database holds tokens only hashed and
/// credential secrets only sealed.
@Suite struct SecretsInLogsTests {
    @Test func noIssuedSecretAppearsInTheServerLogOrInTheClearInTheDatabase() async throws {
        let data = try TemporaryDirectory("cubicle-secrets-log")
        defer { data.remove() }
        let provider = try await MockOIDCProvider.start(users: [OIDCLoginTests.alice])
        let clientSecret = "client-" + UUID().uuidString
        try data.write("config.yaml", """
            auth:
              providers:
                - id: mock
                  issuer: \(provider.issuer)
                  clientId: cubicle-test
                  clientSecret: \(clientSecret)
                  claims:
                    defaultBlueprints: ["*"]
            """)
        let serve: ServeProcess
        do {
            serve = try await ServeProcess.start(
                dataDirectory: data.path, logName: "serve",
                extraArguments: ["--kubelet", "instant", "--log-level", "debug", "--config", data.file("config.yaml")])
        } catch {
            await provider.stop()
            throw error
        }
        var secrets: [String: String] = ["OIDC client secret": clientSecret]
        do {
            let url = serve.url + "/api/v1"
            let admin = try await blocking { try String(contentsOfFile: data.file("admin-token"), encoding: .utf8) }
                .trimmingCharacters(in: .whitespacesAndNewlines)
            secrets["admin PAT"] = admin
            #expect(try await ServerHarness.exchange("POST", url + "/users", bearer: admin, body: #"{"username":"gina"}"#).status == 201)
            let pat = try #require(try await ServerHarness.exchange("POST", url + "/users/gina/tokens", bearer: admin, body: #"{"name":"t"}"#).json()["token"] as? String)
            secrets["PAT"] = pat
            #expect(try await ServerHarness.exchange("GET", url + "/me/profile", bearer: pat).status == 200)
            // Basic auth (CoCalc style) and a WebSocket-style query token take the same secret.
            let basic = Data("\(pat):".utf8).base64EncodedString()
            #expect(try await ServerHarness.exchange("GET", url + "/me/profile", bearer: nil, headers: ["Authorization": "Basic \(basic)"]).status == 200)
            let garbage = "cub_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            secrets["garbage token"] = garbage
            #expect(try await ServerHarness.exchange("GET", url + "/me/profile?token=\(garbage)", bearer: garbage).status == 401)

            // A git credential, stored and fetched.
            let gitSecret = "ghp_" + UUID().uuidString
            secrets["git secret"] = gitSecret
            #expect(try await ServerHarness.exchange(
                "POST", url + "/users/gina/credentials/git", bearer: admin, body: #"{"scope":"*","subject":"gina","secret":"\#(gitSecret)"}"#).status == 201)

            // An internal JWT for gina's workspace, bought with the workspace's own token.
            let reply = try await ServerHarness.exchange("POST", url + "/workspaces", bearer: pat, body: #"{"blueprint":"dev"}"#).json()
            let workspace = try #require(reply["workspace"] as? String)
            let kube = try KubeClient(config: try await KubeConfig.load(path: data.file("cluster/kubeconfig"), environment: [:]))
            var workspaceToken = ""
            try await eventually("the workspace Secret exists", within: 60) {
                guard let secret = try? await kube.get(Secret.self, name: "\(workspace)-ssh", namespace: "default"),
                    let token = secret.data?["workspace-token"] else { return false }
                workspaceToken = String(decoding: token, as: UTF8.self)
                return true
            }
            await kube.shutdown()
            secrets["workspace token"] = workspaceToken
            // The Secret can exist before the server's watch has seen the workspace; the token is
            // only honoured for a workspace the server knows.
            try await eventually("the server knows \(workspace)", within: 60) {
                try await ServerHarness.exchange("GET", url + "/workspaces/\(workspace)", bearer: pat).status == 200
            }
            let issued = try await ServerHarness.exchange("POST", url + "/internal/users/gina/token", bearer: workspaceToken)
            #expect(issued.status == 200)
            let jwt = try #require(try issued.json()["token"] as? String)
            secrets["internal JWT"] = jwt
            let fetched = try await ServerHarness.exchange("GET", url + "/me/credentials/git?scope=example.com/x", bearer: jwt)
            #expect(try fetched.json()["secret"] as? String == gitSecret)

            // A browser login: the session cookie and the CSRF secret.
            let start = try await ManualHTTP.get(url + "/auth/login?provider=oidc/mock&redirect=/landing")
            let decided = try await ManualHTTP.post(try #require(start.location), form: "sub=alice-sub")
            let landed = try await ManualHTTP.get(try #require(decided.location))
            let cookie = try #require(landed.cookies["cubicle-session"])
            secrets["session cookie"] = cookie
            if let csrf = landed.cookies["cubicle-csrf"] { secrets["CSRF secret"] = csrf }
            #expect(try await ManualHTTP.get(url + "/me/profile", headers: ["Cookie": "cubicle-session=\(cookie)"]).status == 200)

            let log = try await serve.log()
            #expect(log.contains("\"path\": \"/api/v1/me/profile\"") || log.contains("path=/api/v1/me/profile"), "the request log is missing")
            for (what, secret) in secrets where !secret.isEmpty {
                #expect(!log.contains(secret), "the \(what) appears in the server log")
            }

            // At rest: tokens hashed, credential secrets sealed, no session cookie in the clear.
            let dump = try await blocking { () -> String in
                try Program.run("/usr/bin/sqlite3", [data.file("cubicle.sqlite"), ".dump"]).output
            }
            #expect(dump.contains("INSERT INTO access_tokens") && dump.contains("INSERT INTO credentials"))
            // The PAT's row holds its SHA-256 (what the server looks tokens up by), not the token.
            let digest = SHA256.hash(data: Data(pat.utf8)).map { String(format: "%02X", $0) }.joined()
            #expect(dump.uppercased().contains("X'\(digest)'"), "no access token row carries the PAT's SHA-256")
            for (what, secret) in secrets where !secret.isEmpty && what != "OIDC client secret" && what != "CSRF secret" {
                #expect(!dump.contains(secret), "the \(what) is stored in the clear")
                let hex = Data(secret.utf8).map { String(format: "%02x", $0) }.joined()
                #expect(!dump.lowercased().contains(hex), "the \(what) is stored in the clear as a blob")
            }
        } catch {
            try? await serve.stop(signal: SIGTERM)
            await provider.stop()
            throw error
        }
        try await serve.stop(signal: SIGTERM)
        await provider.stop()
    }
}
