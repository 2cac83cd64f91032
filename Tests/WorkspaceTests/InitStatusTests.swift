import Blueprints
import Foundation
import Testing

@Suite("Agent: init script status")
struct InitStatusTests {
    @Test(arguments: AgentShell.allCases)
    func initStatusReportsEachScriptFromTheBootstrapFlagFiles(shell: AgentShell) async throws {
        let scripts = [
            InitScript(name: "motd", script: "echo hi"),
            InitScript(name: "broken", script: "exit 3"),
            InitScript(name: "later", script: "true"),
        ]
        let spec = TestBlueprints.spec([:], initScripts: scripts)
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            // What the bootstrap leaves: NAME.done on success; NAME.failed (the exit code) and
            // NAME.log on failure; nothing for a script that has not run yet.
            let directory = workspace.home + "/.cubicle/init"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory + "/motd.done", contents: nil)
            try Data("3\n".utf8).write(to: URL(fileURLWithPath: directory + "/broken.failed"))
            var log = Data("HEAD-OF-THE-LOG\n".utf8)
            log += Data(repeating: UInt8(ascii: "x"), count: 3000)
            log += Data([0x0a, 0xff, 0xfe, 0xe2, 0x82, 0x0a])
            log += Data("the real error: \"quoted\" \\ back\n".utf8)
            try log.write(to: URL(fileURLWithPath: directory + "/broken.log"))

            let output = try await workspace.run("init-status")
            #expect(output.exitCode == 0)
            let status = try decode([InitScriptDocument].self, output)
            #expect(status.map(\.name) == ["motd", "broken", "later"])
            #expect(status.first == InitScriptDocument(name: "motd", status: "succeeded", exitCode: 0, log: ""))
            #expect(status.last == InitScriptDocument(name: "later", status: "pending", exitCode: nil, log: ""))
            let broken = try #require(status.dropFirst().first)
            #expect(broken.status == "failed" && broken.exitCode == 3)
            #expect(broken.log.hasSuffix("the real error: \"quoted\" \\ back"), "log: \(broken.log.suffix(80))")
            #expect(broken.log.contains("\u{FFFD}"), "malformed bytes become U+FFFD")
            #expect(!broken.log.contains("HEAD-OF-THE-LOG"), "only the end of the log is reported")
            #expect(broken.log.utf8.count <= 2048 + 5 * 2)
        }
    }

    @Test(arguments: AgentShell.allCases)
    func aWorkspaceWithoutInitScriptsReportsAnEmptyList(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec([:])) { workspace in
            let output = try await workspace.run("init-status")
            #expect(try decode([InitScriptDocument].self, output).isEmpty)
        }
    }
}
