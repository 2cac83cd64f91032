#if canImport(Glibc)
import Glibc
#endif
import Blueprints
import Foundation
import Testing
@testable import LocalCluster

@Suite("Agent: the supervisor")
struct SupervisorTests {
    static let talker = TestBlueprints.shell("echo hello; exec sleep 1000")

    /// Starts `agent supervise` and returns it once it has printed its first line.
    func startSupervisor(_ workspace: AgentWorkspace) async throws -> (StreamingProgram, SupervisorDocument) {
        let supervisor = try await Programs.start(workspace.command(["supervise"]), environment: workspace.environment)
        let line = await PipeReader.read(fd: supervisor.stdout, limit: 4096) { $0.contains(UInt8(ascii: "\n")) }
        let document = try JSONDecoder().decode(SupervisorDocument.self, from: Data(line))
        return (supervisor, document)
    }

    @Test(arguments: AgentShell.allCases)
    func aSecondSupervisorExitsAtOnce(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            let (first, running) = try await startSupervisor(workspace)
            #expect(running.supervisor == "running" && running.pid == first.child.pid)

            let second = try await workspace.run("supervise")
            #expect(second.status == .exited(0))
            let document = try decode(SupervisorDocument.self, second)
            #expect(document.supervisor == "already_running" && document.pid == first.child.pid)
            #expect(!first.child.hasExited)

            first.child.signal(SIGTERM)
            #expect(await Programs.wait(first.child, timeout: 15) == .exited(0))
            #expect(workspace.supervisorPID() == nil, "a stopped supervisor removes its pid file")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func autoStartAppsStartWithTheSupervisorAndStopWithIt(shell: AgentShell) async throws {
        let spec = TestBlueprints.spec(
            ["auto": TestBlueprints.shell("echo hello; exec sleep 1000", autoStart: true), "manual": Self.talker], enableApps: true)
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let (supervisor, _) = try await startSupervisor(workspace)
            #expect(try await eventually { try await workspace.app("auto").status == "RUNNING" })
            #expect(try await workspace.app("manual").status == "STOPPED")
            let pid = try #require(try await workspace.app("auto").pid)

            supervisor.child.signal(SIGTERM)
            #expect(await Programs.wait(supervisor.child, timeout: 15) == .exited(0))
            #expect(await processes(inSession: pid).isEmpty, "the supervisor stops its apps when it stops")
            #expect(try await workspace.app("auto").status == "STOPPED")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func startingAnAppStartsASupervisorWhenNoneRuns(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            #expect(workspace.supervisorPID() == nil)
            let started = try await workspace.startApp("talker")
            #expect(started.status == "RUNNING")
            let supervisor = try #require(workspace.supervisorPID())
            #expect(await isAlive(supervisor))
        }
    }

    @Test(arguments: AgentShell.allCases)
    func installAsRootIsRefusedClearlyWhenTheUserCannotSudo(shell: AgentShell) async throws {
        var app = TestBlueprints.tool()
        app.installAsRoot = true
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["tool": app])) { workspace in
            let nobody: UInt32 = 65534
            _ = chown(workspace.home, nobody, nobody)
            let command = ["/usr/bin/setpriv", "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups"]
                + workspace.command(["app-install", "tool"])
            let output = try await Programs.run(command, environment: workspace.environment)
            #expect(output.exitCode != 0)
            let error = try decode(AgentErrorDocument.self, output)
            #expect(error.error == "root_required")
            #expect(error.message.contains("sudo"))
            #expect(!FileManager.default.fileExists(atPath: workspace.stateDirectory("tool") + "/install.lock"))
        }
    }
}
