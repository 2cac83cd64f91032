import App
import API
import CubicleTestSupport
import Foundation
import Testing

/// Logs in through a real OpenID Connect provider with plain HTTP: Cubicle → provider form →
/// callback → cookie → API, plus the CLI handoff and what must be refused.
@Suite struct OIDCLoginTests {
    static let alice = ["sub": "alice-sub", "preferred_username": "alice", "name": "Alice Liddell", "email": "alice@example.com"]
    static let mallory = ["sub": "mallory-sub", "preferred_username": "mallory", "name": "Mallory", "email": "m@example.com"]
    static let dora = ["sub": "dora-sub", "preferred_username": "dora", "name": "Dora", "email": "dora@example.com"]
    static let impostor = ["sub": "admin-sub", "preferred_username": "admin", "name": "Not the admin"]

    /// A server whose config file names the mock provider, and the provider.
    static func withLogin(_ body: (ServerHarness, MockOIDCProvider) async throws -> Void) async throws {
        let provider = try await MockOIDCProvider.start(users: [alice, mallory, impostor, dora])
        let yaml = """
            auth:
              sessionTTL: 1h
              providers:
                - id: mock
                  issuer: \(provider.issuer)
                  clientId: cubicle-test
                  clientSecret: s3cret-client
                  displayName: Mock IdP
                  claims:
                    defaultBlueprints: ["*"]
              staticUsers:
                - username: mallory
                  locked: true
            """
        do {
            let file = try ConfigFile.parse(yaml)
            try await ServerHarness.with(file: file) { server in try await body(server, provider) }
            await provider.stop()
        } catch {
            await provider.stop()
            throw error
        }
    }

    /// Runs the browser part up to the provider's redirect back to Cubicle; returns that callback URL.
    static func authorize(_ server: ServerHarness, as sub: String, query: String = "redirect=/landing") async throws -> String {
        let start = try await ManualHTTP.get("\(server.url)/api/v1/auth/login?provider=oidc/mock&\(query)")
        #expect(start.status == 302)
        let toProvider = try #require(start.location)
        #expect(ManualHTTP.query(toProvider, "code_challenge_method") == "S256")
        #expect(ManualHTTP.query(toProvider, "nonce")?.isEmpty == false)
        let decided = try await ManualHTTP.post(toProvider, form: "sub=\(sub)")
        #expect(decided.status == 302, "the provider answered \(decided.status): \(decided.text.prefix(300))")
        return try #require(decided.location)
    }

    @Test func browserLoginCreatesTheUserSetsASessionCookieAndLogoutEndsIt() async throws {
        try await Self.withLogin { server, provider in
            let providers = try await ManualHTTP.get("\(server.url)/api/v1/auth/providers")
            #expect(providers.text.contains("\"oidc/mock\""))

            let callback = try await Self.authorize(server, as: "alice-sub")
            let landed = try await ManualHTTP.get(callback)
            #expect(landed.status == 302)
            #expect(landed.location == "/landing")
            let setCookie = landed.headers["set-cookie"] ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
            let session = try #require(landed.cookies["cubicle-session"])
            let csrf = try #require(landed.cookies["cubicle-csrf"])
            let cookie = "cubicle-session=\(session)"

            let profile = try await ManualHTTP.get("\(server.url)/api/v1/me/profile", headers: ["Cookie": cookie])
            #expect(profile.status == 200)
            let json = try JSONObject(profile.body)
            #expect(json["username"] as? String == "alice")
            #expect(json["email"] as? String == "alice@example.com")
            #expect(json["source"] as? String == "oidc/mock")

            // The code works once.
            #expect(try await ManualHTTP.get(callback).status == 403)

            // Cookie-authenticated writes need the CSRF header.
            let noCSRF = try await ManualHTTP.post("\(server.url)/api/v1/me/tokens", json: #"{"name":"x"}"#, headers: ["Cookie": cookie])
            #expect(noCSRF.status == 403)
            let withCSRF = try await ManualHTTP.post(
                "\(server.url)/api/v1/me/tokens", json: #"{"name":"x"}"#, headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(withCSRF.status == 201)

            // A later login refreshes the profile from the claims.
            var renamed = Self.alice
            renamed["name"] = "Alice Pleasance Liddell"
            try await provider.setClaims(renamed)
            let again = try await ManualHTTP.get(try await Self.authorize(server, as: "alice-sub"))
            #expect(again.status == 302)
            let refreshed = try JSONObject(try await server.request("GET", "/api/v1/users/alice/profile").body)
            #expect(refreshed["fullname"] as? String == "Alice Pleasance Liddell")

            // Logout ends the session server-side.
            #expect(try await ManualHTTP.post("\(server.url)/api/v1/auth/logout", headers: ["Cookie": cookie]).status == 403)
            #expect(try await ManualHTTP.post("\(server.url)/api/v1/auth/logout", headers: ["Cookie": cookie, "X-CSRF-Token": csrf]).status == 204)
            #expect(try await ManualHTTP.get("\(server.url)/api/v1/me/profile", headers: ["Cookie": cookie]).status == 401)
        }
    }

    @Test func tamperedStateLockedUsersAndTakeoversAreRefused() async throws {
        try await Self.withLogin { server, _ in
            let callback = try await Self.authorize(server, as: "alice-sub")
            let tampered = ManualHTTP.replacing(callback, "state", with: "x" + (ManualHTTP.query(callback, "state") ?? ""))
            #expect(try await ManualHTTP.get(tampered).status == 403)
            // The untampered callback still works: the tampered one consumed nothing.
            #expect(try await ManualHTTP.get(callback).status == 302)

            let locked = try await ManualHTTP.get(try await Self.authorize(server, as: "mallory-sub"))
            #expect(locked.status == 403)
            #expect(locked.cookies["cubicle-session"] == nil)

            // An IdP user called "admin" does not become the bootstrap admin.
            let takeover = try await ManualHTTP.get(try await Self.authorize(server, as: "admin-sub"))
            #expect(takeover.status == 403)

            // Open redirects are neutralised.
            let offsite = try await ManualHTTP.get(try await Self.authorize(server, as: "alice-sub", query: "redirect=//evil.example/x"))
            #expect(offsite.location == "/")
        }
    }

    @Test func cliLoginHandsOutAPersonalAccessTokenExactlyOnce() async throws {
        try await Self.withLogin { server, _ in
            let key = "cli-" + UUID().uuidString
            let poll = "\(server.url)/api/v1/auth/token?state=\(key)"
            let callback = try await Self.authorize(server, as: "alice-sub", query: "createPAT=true&state=\(key)")
            #expect(try await ManualHTTP.get(poll).status == 202)
            let done = try await ManualHTTP.get(callback)
            #expect(done.status == 200)
            #expect(done.cookies["cubicle-session"] == nil)
            let ready = try await ManualHTTP.get(poll)
            #expect(ready.status == 200)
            let token = try #require(try JSONObject(ready.body)["token"] as? String)
            #expect(try await ManualHTTP.get(poll).status == 404)

            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(token)).status == 200)
            // CoCalc-style Basic auth with the token as the user name.
            let basic = Data("\(token):".utf8).base64EncodedString()
            #expect(try await ManualHTTP.get("\(server.url)/api/v1/me/profile", headers: ["Authorization": "Basic \(basic)"]).status == 200)
            let wrong = Data("\(token)x:".utf8).base64EncodedString()
            #expect(try await ManualHTTP.get("\(server.url)/api/v1/me/profile", headers: ["Authorization": "Basic \(wrong)"]).status == 401)
        }
    }
}
