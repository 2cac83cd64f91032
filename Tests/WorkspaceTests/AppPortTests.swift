import Blueprints
import Foundation
import Testing
@testable import LocalCluster

@Suite("Agent: an app's port held by another process")
struct AppPortTests {
    @Test(arguments: AgentShell.allCases)
    func anotherListenerMakesTheAppInvalidAndStartWaitsThenRefuses(shell: AgentShell) async throws {
        let port = try freePort()
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port)])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let squatter = try ListeningSocket(port: port)
            #expect(try await workspace.app("web").status == "INVALID")
            let refused = try await workspace.json(AgentErrorDocument.self, "app-start", "web")
            #expect(refused.error == "port_in_use", "start waits up to 5 s for the port, then gives up")
            #expect(refused.message.contains("(pid \(getpid()),"), "and names who holds it: \(refused.message)")
            squatter.close()

            let started = try await workspace.json(AppDocument.self, "app-start", "web")
            #expect(started.status == "RUNNING", "the app's own listener is not a conflict: \(started)")
            #expect(try await eventually { try await workspace.app("web").status == "RUNNING" })
        }
    }

    @Test(arguments: AgentShell.allCases)
    func startWaitsForAPortThatIsFreedWithinFiveSeconds(shell: AgentShell) async throws {
        let port = try freePort()
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port)])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let squatter = try ListeningSocket(port: port)
            let agent = try await Programs.start(workspace.command(["app-start", "web"]), environment: workspace.environment, stderr: true)
            let stdout = agent.stdout, stderr = try #require(agent.stderr)
            let reader = Task { await PipeReader.read(fd: stdout, limit: 1 << 20) }
            let said = await PipeReader.read(fd: stderr, limit: 4096) { String(decoding: $0, as: UTF8.self).contains("\n") }
            squatter.close()
            #expect(String(decoding: said, as: UTF8.self).contains("waiting up to 5 s"), "the agent waits for the port")
            let text = String(decoding: await reader.value, as: UTF8.self)
            let status = await Programs.wait(agent.child, timeout: 15)
            #expect(status == .exited(0), "answer: \(text.replacingOccurrences(of: "\n", with: " "))")
            let started = try JSONDecoder().decode(AppDocument.self, from: Data(text.utf8))
            #expect(started.status == "RUNNING", "\(text)")
        }
    }
}
