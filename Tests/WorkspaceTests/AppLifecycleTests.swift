#if canImport(Glibc)
import Glibc
#endif
import Blueprints
import Foundation
import Testing

@Suite("Agent: installing, running and stopping apps")
struct AppLifecycleTests {
    @Test(arguments: AgentShell.allCases)
    func installRunsInTheBackgroundAndThenReportsTheVersion(shell: AgentShell) async throws {
        let port = try freePort()
        let broken = AppSpec(
            binary: "/bin/sh", start: ["/bin/sh", "-c", "exit 0"],
            versionCmd: ["/bin/sh", "-c", "echo no version here"], versionRegex: "version ([0-9]+)")
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port), "tool": TestBlueprints.tool(gated: true), "broken": broken])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let listed = try await workspace.apps()
            #expect(listed.map(\.name) == ["broken", "tool", "web"])
            let web = try #require(listed.first { $0.name == "web" })
            #expect(web.status == "STOPPED")
            #expect(web.version.split(separator: ".").count == 3 && web.version.allSatisfy { $0.isNumber || $0 == "." }, "version \(web.version)")
            #expect(web.port == port && web.protocol == "http" && web.pid == nil && web.age == nil && web.restarts == 0)
            #expect(listed.first { $0.name == "tool" }?.status == "NOT-INSTALLED")
            #expect(listed.first { $0.name == "broken" }?.status == "INVALID", "its version check finds no version")

            let notInstalled = try await workspace.json(AgentErrorDocument.self, "app-start", "tool")
            #expect(notInstalled.error == "not_installed")

            let started = try await workspace.json(AppDocument.self, "app-install", "tool")
            #expect(started.status == "INSTALLING")
            #expect(try await workspace.app("tool").status == "INSTALLING", "the install waits for its gate")
            let twice = try await workspace.json(AgentErrorDocument.self, "app-install", "tool")
            #expect(twice.error == "installing")

            _ = FileManager.default.createFile(atPath: workspace.home + "/install-gate", contents: nil)
            #expect(try await eventually { try await workspace.app("tool").status == "STOPPED" })
            let installed = try await workspace.app("tool")
            #expect(installed.version == "1.2.3")
            let log = try await workspace.run("app-logs", "tool", "--install")
            #expect(log.exitCode == 0)
            #expect(log.stdout.contains("tool installed"), "install log: \(log.stdout)")
            #expect(log.stdout.contains("exit code 0"))

            let again = try await workspace.json(AgentErrorDocument.self, "app-install", "tool")
            #expect(again.error == "already_installed")
            // Closed gate: the forced reinstall is still running when the agent answers.
            try FileManager.default.removeItem(atPath: workspace.home + "/install-gate")
            let forced = try await workspace.json(AppDocument.self, "app-install", "tool", "--force")
            #expect(forced.status == "INSTALLING")
            _ = FileManager.default.createFile(atPath: workspace.home + "/install-gate", contents: nil)
            #expect(try await eventually { try await workspace.app("tool") == installed })
        }
    }

    @Test(arguments: AgentShell.allCases)
    func supervisorRunsStartedAppsAndRestartsThemAfterACrash(shell: AgentShell) async throws {
        let port = try freePort()
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port), "tool": TestBlueprints.tool()])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-install", "tool")
            #expect(try await eventually { try await workspace.app("tool").status == "STOPPED" })

            let tool = try await workspace.startApp("tool")
            #expect(tool.status == "RUNNING" && tool.restarts == 0 && tool.age != nil)
            let toolPID = try #require(tool.pid)
            let web = try await workspace.startApp("web")
            #expect(web.status == "RUNNING", "\(web)")
            let webPID = try #require(web.pid)
            let page = try await httpGet(port: port)
            #expect(page.contains("Directory listing"), "GET /: \(page)")
            let twice = try await workspace.json(AgentErrorDocument.self, "app-start", "web")
            #expect(twice.error == "already_running")

            kill(toolPID, SIGKILL)
            kill(webPID, SIGKILL)
            #expect(try await eventually {
                let app = try await workspace.app("tool")
                return app.status == "RUNNING" && app.pid != toolPID && app.restarts == 1
            })
            #expect(try await eventually {
                let app = try await workspace.app("web")
                return app.status == "RUNNING" && app.pid != webPID && app.restarts == 1
            }, "on-failure restarts an app killed by a signal")
            #expect(try await httpGet(port: port).contains("Directory listing"))
            let log = try await workspace.run("app-logs", "tool", "--tail", "50")
            #expect(log.stdout.contains("tool tick 1"))
            #expect(log.stdout.contains("exited with code 137"), "app log: \(log.stdout)")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func stoppedAppLeavesNoProcessBehindAndIsNotRestarted(shell: AgentShell) async throws {
        // The app forks a child that ignores SIGTERM, so only the SIGKILL after 3 s ends it.
        let script = "sh -c 'trap \"\" TERM; while :; do sleep 1; done' & sleep 1000 & echo up; wait"
        let spec = TestBlueprints.spec(["busy": TestBlueprints.shell(script, restartPolicy: .always)])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let started = try await workspace.startApp("busy")
            let pid = try #require(started.pid)
            #expect(await eventually { await processes(inSession: pid).count >= 3 })

            let stopped = try await workspace.json(AppDocument.self, "app-stop", "busy")
            #expect(stopped.status == "STOPPED" && stopped.pid == nil)
            #expect(await processes(inSession: pid).isEmpty, "every process of the app is gone")
            #expect(!(await isAlive(pid)))
            let logPath = workspace.stateDirectory("busy") + "/app.log"
            #expect(await eventually {
                ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("exited with code")
            }, "the supervisor saw the exit")
            #expect(try await workspace.app("busy").status == "STOPPED")
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(!log.contains("restarting"), "log: \(log)")
            let again = try await workspace.json(AppDocument.self, "app-stop", "busy")
            #expect(again.status == "STOPPED", "stopping a stopped app is not an error")
        }
    }
}

/// `GET /` on 127.0.0.1:`port` (python's urllib, run as a process so nothing blocks).
func httpGet(port: Int, host: String = "127.0.0.1") async throws -> String {
    let script = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://\(host):\(port)/', timeout=5).read().decode())"
    var output = try await Programs.run([TestBlueprints.python3, "-c", script], environment: ["PATH": AgentShell.systemPath])
    // The server may still be binding its port right after a (re)start.
    for _ in 0..<50 where output.exitCode != 0 {
        try await Task.sleep(for: .milliseconds(100))
        output = try await Programs.run([TestBlueprints.python3, "-c", script], environment: ["PATH": AgentShell.systemPath])
    }
    return output.stdout
}
