import App
import CubicleTestSupport
import Foundation
import Testing

/// `cubicle login` end to end against the real OpenID Connect provider: the CLI prints the
/// sign-in URL, a "browser" (plain HTTP) signs in at the provider, the CLI's poll receives the
/// personal access token and stores it in a context that then works.
@Suite struct CLILoginTests {
    @Test func loginThroughTheBrowserFlowStoresAWorkingContext() async throws {
        try await OIDCLoginTests.withLogin { server, _ in
            let cli = try CLIRunner()
            defer { cli.home.remove() }
            let login = try await cli.spawn(["login", "--server", server.url, "--context", "corp", "--no-browser"], log: "login.log")
            var url = ""
            try await eventually("the CLI prints the sign-in URL", within: 60) {
                let log = try await login.log()
                guard let line = log.split(separator: "\n").first(where: { $0.contains("/api/v1/auth/login?") }) else { return false }
                url = line.trimmingCharacters(in: .whitespaces)
                return true
            }
            #expect(url.contains("createPAT=true") && url.contains("state="), "\(url)")
            // The browser: Cubicle → provider → callback.
            let start = try await ManualHTTP.get(url)
            #expect(start.status == 302)
            let decided = try await ManualHTTP.post(try #require(start.location), form: "sub=alice-sub")
            let done = try await ManualHTTP.get(try #require(decided.location))
            #expect(done.status == 200)
            let status = try await login.wait()
            let log = try await login.log()
            #expect(status == 0, "\(log)")
            #expect(log.contains("signed in") && log.contains("alice"), "\(log)")

            let config = try String(contentsOfFile: cli.configPath, encoding: .utf8)
            #expect(config.contains("current-context: corp") && config.contains("username: alice"), "\(config)")
            let profile = try await cli.run(["tokens", "list", "-o", "json"])
            #expect(profile.status == 0, "\(profile.stderr)")
            #expect(!log.contains("cub_"), "the token is never printed")
            let listed = try await cli.run(["ws", "list", "-o", "json"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect((try? JSONObject(Data(listed.stdout)))?.array.isEmpty == true, "alice has no workspaces yet: \(listed.output)")
        }
    }
}
