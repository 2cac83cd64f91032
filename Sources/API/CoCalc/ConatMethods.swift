import CubicleModel
import Foundation
import Provisioner
import Store

/// The CoCalc methods Cubicle answers, each mapped onto its own services.
struct ConatMethods: Sendable {
    let dependencies: APIDependencies
    let caller: Caller

    private var nowMilliseconds: JSONValue { .int(Int64((dependencies.time.now.timeIntervalSince1970 * 1000).rounded())) }

    /// `/api/conat/hub`.
    func hub(_ call: ConatCall) async throws -> JSONValue {
        // The endpoint needs `shell:write` (it runs commands); managing projects also needs what
        // the REST routes for the same work need.
        switch call.name {
        case "projects.createProject", "projects.start", "projects.stop", "projects.deleteProject", "projects.touch":
            try requireScope("workspace:write")
        case "projects.state", "projects.status":
            try requireScope("workspace:read")
        default:
            break
        }
        switch call.name {
        case "system.ping":
            return ["now": nowMilliseconds]
        case "system.test":
            return ["account_id": .string(caller.username), "server_time": nowMilliseconds]
        case "projects.createProject":
            let title = try call.required("title")
            guard title.utf8.count <= 63 else { throw ConatError("title must be at most 63 characters (it names the workspace's instance)") }
            let user = try await dependencies.store.users.get(caller.username)
            let ticket = try await dependencies.provisioner.provision(
                ProvisionRequest(owner: WorkspaceOwner(user), blueprint: nil, instance: title))
            // The id is usable at once: answer when the cluster shows the new workspace (its job
            // applies the workspace's first object right away).
            let deadline = dependencies.time.now.addingTimeInterval(30)
            while dependencies.provisioner.owner(of: ticket.workspace) == nil, dependencies.time.now < deadline {
                try await dependencies.time.sleep(seconds: 0.1)
            }
            return .string(ticket.workspace)
        case "projects.start":
            let name = try workspaceName(of: call)
            try await start(name)
            return [:]
        case "projects.stop":
            let name = try workspaceName(of: call)
            _ = try await dependencies.provisioner.stop(name)
            await dependencies.connector.forget(name)
            return [:]
        case "projects.deleteProject":
            let name = try workspaceName(of: call)
            _ = try await dependencies.provisioner.delete(name)
            await dependencies.connector.forget(name)
            return ["success": true]
        case "projects.touch":
            let name = try workspaceName(of: call)
            if try await dependencies.provisioner.workspace(name).status == .stopped { try await start(name) }
            return [:]
        case "projects.state":
            let workspace = try await dependencies.provisioner.workspace(try workspaceName(of: call))
            var state: JSONValue = ["state": .string(Self.state(workspace.status))]
            if !workspace.podIP.isEmpty { state["ip"] = .string(workspace.podIP) }
            if workspace.status == .error || workspace.status == .failing { state["error"] = .string(workspace.lastFailMessage) }
            return state
        case "projects.status":
            let name = try workspaceName(of: call)
            let workspace = try await dependencies.provisioner.workspace(name)
            guard workspace.status == .running || workspace.status == .warning else { return ["state": .string(Self.state(workspace.status))] }
            return try await WorkspaceAgent(connector: dependencies.connector).document(name, ["sysinfo"])
        case "jupyter.kernels", "jupyter.execute":
            throw ConatError("Jupyter is not available on this server yet")
        default:
            throw ConatError("unknown method \(call.name.prefix(100)) (this server answers system.ping, system.test and projects.*)")
        }
    }

    /// `/api/conat/project`.
    func project(_ call: ConatCall) async throws -> JSONValue {
        let name = try workspaceName(of: call)
        switch call.name {
        case "system.ping":
            return ["now": nowMilliseconds]
        case "system.test":
            return ["project_id": .string(name), "server_time": nowMilliseconds]
        case "system.exec":
            return try await exec(call, in: name)
        case "system.jupyterExecute", "system.listJupyterKernels", "system.stopJupyterKernel":
            throw ConatError("Jupyter is not available on this server yet")
        default:
            throw ConatError("unknown method \(call.name.prefix(100)) (this server answers system.ping, system.test and system.exec)")
        }
    }

    /// `system.exec`: the workspace's exec with CoCalc's names. A command without `args` runs as a
    /// shell command line, as CoCalc runs it.
    private func exec(_ call: ConatCall, in name: String) async throws -> JSONValue {
        if try call.flag("async_call") == true || call.parameters["async_get"] != nil {
            throw ConatError("async exec (async_call/async_get) is not available on this server yet")
        }
        let command = try call.required("command")
        let args = try call.parameters["args"].map { value -> [String] in
            guard let items = value.arrayValue else { throw ConatError("args must be a list of strings") }
            return try items.map { item in
                if let text = item.stringValue { return text }
                if let number = item.intValue { return String(number) }
                throw ConatError("args must be a list of strings")
            }
        }
        var environment: [String: String]?
        if let env = call.parameters["env"], env != .null {
            guard let members = env.objectValue else { throw ConatError("env must be an object") }
            environment = members.mapValues { $0.stringValue ?? String(decoding: $0.serialized(), as: UTF8.self) }
        }
        let settings = dependencies.exec
        // Clamped as Doubles: converting an out-of-range Double to Int traps.
        let maxOutput = try call.number("max_output").map { Int(min(max(0, $0), Double(settings.maximumMaxOutput))) }
        let asked = try call.number("timeout") ?? call.timeout ?? settings.defaultTimeout
        guard asked.isFinite, asked > 0 else { throw ConatError("timeout must be a positive number of seconds") }
        let timeout = min(asked, settings.maximumTimeout)
        let useShell = try call.flag("bash") == true || args == nil
        let body = ExecRequest.Body(
            command: command, args: useShell ? nil : args, bash: useShell, cwd: try call.string("cwd"), path: try call.string("path"),
            env: environment, stdin: nil, timeout: timeout, maxOutput: maxOutput, encoding: nil, async: nil)
        let request = try ExecRequest(body, settings: settings)
        try await awaitRunning(name, within: min(timeout, 120))
        let result = try await ExecRunner.run(request, in: name, dependencies: dependencies)
        if result.timedOut { throw ConatError("the command timed out after \(Int(timeout)) s") }
        return ["stdout": .string(result.stdout), "stderr": .string(result.stderr), "exit_code": result.exitCode.map { .int(Int64($0)) } ?? .null]
    }

    private func requireScope(_ scope: String) throws {
        guard AccessPolicy.permits(caller.scopes, scope) else { throw ConatError("this key's scopes do not allow \(scope)") }
    }

    /// The workspace the call names, if the caller may see it ("not found" otherwise).
    private func workspaceName(of call: ConatCall) throws -> String {
        guard let id = call.projectID, !id.isEmpty else { throw ConatError("project_id is required") }
        do {
            return try dependencies.visibleWorkspace(id, for: caller)
        } catch {
            throw ConatError("project \(id.prefix(80)) not found")
        }
    }

    /// Starts the workspace; one that already runs (or is starting) is left as it is.
    private func start(_ name: String) async throws {
        guard let owner = dependencies.provisioner.owner(of: name) else { throw ConatError("project \(name) not found") }
        let user = try await dependencies.store.users.get(owner)
        do {
            _ = try await dependencies.provisioner.start(name, owner: WorkspaceOwner(user))
        } catch let error as ProvisionerError where error.code == .alreadyExists {}
    }

    /// A project just created or started takes a moment to run: a call into it waits for that
    /// (up to `seconds`) rather than failing at once.
    private func awaitRunning(_ name: String, within seconds: Double) async throws {
        let deadline = dependencies.time.now.addingTimeInterval(seconds)
        while true {
            let workspace = try await dependencies.provisioner.workspace(name)
            if workspace.status == .running || workspace.status == .warning { return }
            guard dependencies.time.now < deadline, try await isStarting(workspace) else {
                throw ConatError("project \(name) is not running (\(workspace.status.rawValue)); start it with projects.start")
            }
            try await dependencies.time.sleep(seconds: 0.25)
        }
    }

    /// Whether the workspace is on its way up: starting, or its last job a provision or start
    /// still running (just admitted, before its pod exists).
    private func isStarting(_ workspace: WorkspaceInfo) async throws -> Bool {
        if workspace.status == .starting || workspace.status == .pulling { return true }
        guard !workspace.jobId.isEmpty, let job = try? await dependencies.store.jobs.get(id: workspace.jobId) else { return false }
        return job.status == .running && (job.action == .provision || job.action == .start)
    }

    /// CoCalc's project states.
    static func state(_ status: WorkspaceStatus) -> String {
        switch status {
        case .running, .warning: "running"
        case .starting, .pulling: "starting"
        case .stopping, .terminating: "stopping"
        case .stopped: "stopped"
        case .error, .failing: "error"
        case .unknown: "unknown"
        }
    }
}
