import Blueprints
import Foundation
import Testing

@Suite("Agent: bad input and hostile values")
struct AgentInputTests {
    @Test(arguments: AgentShell.allCases)
    func badNamesUnknownAppsAndUnknownCommandsAnswerJSONErrors(shell: AgentShell) async throws {
        let spec = TestBlueprints.spec(["web": TestBlueprints.shell("exec sleep 1000")])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let cases: [([String], String)] = [
                (["app-start", "nope"], "not_found"),
                (["app-logs", "nope", "--follow"], "not_found"),
                (["app-stop", "../../etc/passwd"], "invalid_request"),
                (["app-logs", "a\"b\\c\nd"], "invalid_request"),
                (["app-start"], "invalid_request"),
                (["app-start", "web", "extra"], "invalid_request"),
                (["app-install", "web"], "invalid_request"),
                (["app-install", "web", "--bogus"], "invalid_request"),
                (["apps", "extra"], "invalid_request"),
                (["bogus\"command\\"], "invalid_request"),
                ([], "invalid_request"),
            ]
            for (arguments, code) in cases {
                let output = try await Programs.run(workspace.command(arguments), environment: workspace.environment)
                #expect(output.exitCode != 0, "\(arguments)")
                let document = try decode(AgentErrorDocument.self, output)
                #expect(document.error == code, "\(arguments): \(document)")
                #expect(!document.message.isEmpty)
            }
        }
    }

    /// `enableApps: false` turns off the whole apps surface of the workspace (not only autoStart):
    /// every app command answers `apps_disabled`, while sysinfo and init-status still work.
    @Test(arguments: AgentShell.allCases)
    func appsDisabledRefusesEveryAppCommandButNotSysinfo(shell: AgentShell) async throws {
        let spec = TestBlueprints.spec(["web": TestBlueprints.shell("exec sleep 1000")], enableApps: false)
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            for arguments in [["apps"], ["app-start", "web"], ["app-stop", "web"], ["app-install", "web"], ["app-logs", "web"]] {
                let output = try await Programs.run(workspace.command(arguments), environment: workspace.environment)
                #expect(output.exitCode != 0, "\(arguments)")
                let document = try decode(AgentErrorDocument.self, output)
                #expect(document.error == "apps_disabled", "\(arguments): \(document)")
                #expect(document.message.contains("enableApps"))
            }
            #expect(workspace.supervisorPID() == nil, "a refused app-start must not start a supervisor")
            #expect(try await workspace.run("sysinfo").exitCode == 0)
            #expect(try await workspace.run("init-status").exitCode == 0)
        }
    }

    @Test(arguments: AgentShell.allCases)
    func hostileNamesPathsAndVersionsStayValidJSON(shell: AgentShell) async throws {
        let name = "we\"ird\\ app\nline\ttab é"
        let path = "/var/tmp/no \"such\" \\dir\n/bin"
        let versioned = AppSpec(
            binary: "/bin/sh", start: ["/bin/sh", "-c", "exit 0"],
            versionCmd: ["/bin/sh", "-c", #"printf '%s\n' 'v "1\2" end'"#], versionRegex: "v (.*) end")
        let spec = TestBlueprints.spec([name: AppSpec(binary: path, start: [path]), "versioned": versioned])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let apps = try await workspace.apps()
            let weird = try #require(apps.first { $0.name == name }, "names: \(apps.map(\.name))")
            #expect(weird.status == "NOT-INSTALLED")
            #expect(apps.first { $0.name == "versioned" }?.version == #""1\2""#)

            let refused = try await workspace.run("app-start", name)
            let error = try decode(AgentErrorDocument.self, refused)
            #expect(error.error == "not_installed", "an app is found by its name, whatever it holds")
            #expect(error.message.contains(path))
        }
    }
}
