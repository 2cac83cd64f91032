#if canImport(Glibc)
import Glibc
#endif
import Blueprints
import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// A workspace without a pod: a config directory rendered from a blueprint (as the pod would
/// mount its ConfigMap) and a HOME, both temporary, in which the agent runs as the current user
/// under one shell.
struct AgentWorkspace: Sendable {
    /// The shell the agent runs under.
    let shell: AgentShell
    /// Everything of the workspace lives below this directory.
    let root: String
    /// `CUBICLE_CONFIG_DIR`.
    let configDirectory: String
    /// `HOME`.
    let home: String
    /// Busybox applet links (used by the busybox shell).
    let appletDirectory: String
    /// Added to the agent's environment.
    let extraEnvironment: [String: String]

    /// Renders `spec` into a fresh workspace.
    static func make(shell: AgentShell, spec: BlueprintSpec, environment: [String: String] = [:]) async throws -> AgentWorkspace {
        let root = try TestDirectories.make("agent-\(shell)")
        let workspace = AgentWorkspace(
            shell: shell, root: root, configDirectory: root + "/config", home: root + "/home",
            appletDirectory: root + "/busybox", extraEnvironment: environment)
        do {
            try FileManager.default.createDirectory(atPath: workspace.home, withIntermediateDirectories: true)
            if shell == .busybox { try await AgentShell.makeAppletDirectory(workspace.appletDirectory) }
            let resources = try WorkspaceFiles.render(spec, identity: currentUserIdentity())
            try WorkspaceFiles.materialiseConfigMap(of: resources, into: workspace.configDirectory)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        return workspace
    }

    /// The identity of whoever runs the tests (root on CI).
    static func currentUserIdentity() -> WorkspaceIdentity {
        let name = getpwuid(getuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "root"
        return WorkspaceIdentity(
            name: "agent-test", namespace: "tests", username: name, uid: Int64(getuid()), gid: Int64(getgid()),
            shell: "/bin/sh", jobID: "job-agent-test")
    }

    /// The agent's environment: nothing of the test process leaks in.
    var environment: [String: String] {
        ["HOME": home, "CUBICLE_CONFIG_DIR": configDirectory, "PATH": shell.path(appletDirectory: appletDirectory), "LANG": "C.UTF-8"]
            .merging(extraEnvironment) { $1 }
    }

    /// argv running the agent with `arguments`.
    func command(_ arguments: [String]) -> [String] {
        shell.command(WorkspaceFiles.agentPath, arguments)
    }

    /// Runs the agent to completion.
    func run(_ arguments: String...) async throws -> ProgramOutput {
        try await Programs.run(command(arguments), environment: environment)
    }

    /// Runs the agent and decodes its one JSON document as `T`.
    func json<T: Decodable>(_ type: T.Type, _ arguments: String...) async throws -> T {
        let output = try await Programs.run(command(arguments), environment: environment)
        return try decode(type, output)
    }

    /// `agent apps`, which must succeed.
    func apps() async throws -> [AppDocument] {
        let output = try await run("apps")
        #expect(output.exitCode == 0, "apps failed: \(output.stdout) \(output.stderr)")
        return try decode([AppDocument].self, output)
    }

    /// One app of `agent apps`.
    func app(_ name: String) async throws -> AppDocument {
        try #require(try await apps().first { $0.name == name }, "no app \(name)")
    }

    /// `agent app-start`, then the app once it runs. The agent answers after at most 5 s; on a
    /// machine so busy that the supervisor has not started the app by then (or has not even
    /// written its own pid file) the answer is `PENDING` (or `STOPPED`), so the app is then
    /// awaited rather than the answer failed.
    func startApp(_ name: String) async throws -> AppDocument {
        let started = try await json(AppDocument.self, "app-start", name)
        #expect(["RUNNING", "PENDING", "STOPPED"].contains(started.status), "app-start \(name): \(started)")
        if started.status == "RUNNING", started.pid != nil { return started }
        var running = started
        let ran = try await eventually(timeout: 60) {
            running = try await app(name)
            return running.status == "RUNNING" && running.pid != nil
        }
        #expect(ran, "app \(name) never ran: \(running)")
        return running
    }

    /// The state directory of an app.
    func stateDirectory(_ key: String) -> String { home + "/.cubicle/apps/" + key }

    /// The running supervisor's pid, from its pid file.
    func supervisorPID() -> pid_t? {
        let text = (try? String(contentsOfFile: home + "/.cubicle/apps/supervisor.pid", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { pid_t($0) }
    }

    /// Stops the supervisor (which stops its apps), kills anything of the workspace still left and
    /// removes its files.
    func tearDown() async {
        if let supervisor = supervisorPID(), await isAlive(supervisor) {
            kill(supervisor, SIGTERM)
            _ = await eventually(timeout: 10) { !(await isAlive(supervisor)) }
        }
        for pid in await processes(mentioning: root) { kill(pid, SIGKILL) }
        _ = await eventually(timeout: 5) { await processes(mentioning: root).isEmpty }
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Runs `body` in a fresh workspace and always tears it down afterwards.
func withAgentWorkspace<T: Sendable>(
    shell: AgentShell, spec: BlueprintSpec, environment: [String: String] = [:],
    _ body: (AgentWorkspace) async throws -> T
) async throws -> T {
    let workspace = try await AgentWorkspace.make(shell: shell, spec: spec, environment: environment)
    do {
        let result = try await body(workspace)
        await workspace.tearDown()
        return result
    } catch {
        await workspace.tearDown()
        throw error
    }
}

/// Decodes a program's stdout as exactly one JSON document of type `T`.
func decode<T: Decodable>(_ type: T.Type, _ output: ProgramOutput) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(output.stdout.utf8))
    } catch {
        Issue.record("not one \(T.self) document (exit \(output.exitCode)): \(output.stdout) stderr: \(output.stderr)")
        throw error
    }
}
