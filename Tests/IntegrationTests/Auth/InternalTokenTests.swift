import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// The workspace's own token (from its Secret) buys a short-lived JWT for its owner — and for
/// nobody else.
@Suite struct InternalTokenTests {
    @Test func aWorkspaceTokenBuysAFifteenMinuteJWTForItsOwnerOnly() async throws {
        try await ServerHarness.with { server in
            let alice = try await server.makeUser("alice")
            _ = try await server.makeUser("bob")
            let reply = try await server.request("POST", "/api/v1/workspaces", token: .some(alice), body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            _ = try await server.finishedJob(try #require(reply["jobId"] as? String), token: alice)
            let secret = try await server.kube.get(Secret.self, name: "\(name)-ssh", namespace: "default")
            let workspaceToken = String(decoding: try #require(secret.data?["workspace-token"]), as: UTF8.self)
            #expect(workspaceToken.hasPrefix("cws_"))

            let url = "\(server.url)/api/v1/internal/users/alice/token"
            let issued = try await ManualHTTP.post(url, headers: ["Authorization": "Bearer \(workspaceToken)"])
            #expect(issued.status == 200)
            let body = try JSONObject(issued.body)
            let jwt = try #require(body["token"] as? String)
            let expiresAt = try #require((body["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(expiresAt.timeIntervalSinceNow - 900) < 60)

            let profile = try await server.request("GET", "/api/v1/me/profile", token: .some(jwt))
            #expect(profile.status == 200)
            #expect(try profile.json()["username"] as? String == "alice")
            // The JWT is narrow: no token management, no admin.
            #expect(try await server.request("GET", "/api/v1/me/tokens", token: .some(jwt)).status == 403)

            // What a git credential helper in the workspace does: JWT → the narrowest git credential.
            let gitSecret = "ghp_" + UUID().uuidString
            #expect(try await server.request("POST", "/api/v1/users/alice/credentials/git", body: #"{"scope":"*","subject":"alice","secret":"wide-\#(gitSecret)"}"#).status == 201)
            #expect(try await server.request("POST", "/api/v1/users/alice/credentials/git", body: #"{"scope":"github.com/org","subject":"alice","secret":"\#(gitSecret)"}"#).status == 201)
            #expect(try await server.request("POST", "/api/v1/users/alice/credentials/git", token: .some(alice), body: #"{"scope":"x","subject":"a"}"#).status == 403)
            let credential = try await server.request("GET", "/api/v1/me/credentials/git?scope=github.com/org/repo", token: .some(jwt))
            #expect(credential.status == 200)
            #expect(try credential.json()["secret"] as? String == gitSecret)
            let listed = try await server.request("GET", "/api/v1/me/credentials", token: .some(jwt))
            #expect(listed.status == 200 && !String(decoding: listed.body, as: UTF8.self).contains(gitSecret))
            #expect(try await server.request("GET", "/api/v1/users/alice/credentials/git", token: .some(try await server.makeUser("carol"))).status == 404)
            let database = server.dataDirectory.path + "/cubicle.sqlite"
            let dump = try await blocking { () -> String in
                try Program.run("/usr/bin/sqlite3", [database, ".dump"]).output
            }
            #expect(dump.contains("INSERT INTO credentials") && !dump.contains(gitSecret) && !dump.contains(workspaceToken) && !dump.contains(alice))

            // Only for the workspace's owner, and only with the workspace's own token.
            #expect(try await ManualHTTP.post("\(server.url)/api/v1/internal/users/bob/token", headers: ["Authorization": "Bearer \(workspaceToken)"]).status == 403)
            #expect(try await ManualHTTP.post(url, headers: ["Authorization": "Bearer \(alice)"]).status == 403)
            #expect(try await ManualHTTP.post(url, headers: ["Authorization": "Bearer \(workspaceToken)x"]).status == 403)
        }
    }
}
