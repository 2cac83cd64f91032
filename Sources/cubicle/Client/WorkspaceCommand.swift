import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// `cubicle ws list|get|create|start|stop|delete`.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws",
        abstract: "List, create, start, stop and delete workspaces.",
        discussion: """
            Examples:
              cubicle ws create --blueprint dev      # progress until Running, then the name on stdout
              cubicle ws list -o wide
              cubicle ws stop alice-59936c3 --wait
              cubicle ws delete alice-59936c3 --wait
            """,
        subcommands: [List.self, Get.self, Create.self, Start.self, Stop.self, Delete.self],
        aliases: ["workspace", "workspaces"])

    static let columns: [Printer.Column] = [
        .init(header: "NAME") { $0.text("name") },
        .init(header: "STATUS") { $0.text("status") },
        .init(header: "BLUEPRINT") { $0.text("blueprint") },
        .init(header: "USER", wide: true) { $0.text("username") },
        .init(header: "IP", wide: true) { $0.text("podIP") },
        .init(header: "RESTARTS", wide: true) { $0.text("restarts") },
        .init(header: "AGE") { Human.age(since: $0["created"]?.stringValue) },
        .init(header: "MESSAGE", wide: true) { $0.text("message") },
    ]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your workspaces (everyone's with --all, as an admin).", aliases: ["ls"])
        @OptionGroup var options: ClientOptions
        @Flag(help: "Every user's workspaces (admin).")
        var all = false
        @Option(help: "One user's workspaces (admin for another user).")
        var username: String?

        func run() async throws {
            var query: [(String, String)] = []
            if all { query.append(("all", "true")) }
            if let username { query.append(("username", username)) }
            let list = try await options.withAPI { try await $0.json(.GET, "workspaces", query: query) }
            Printer(format: options.output).print(list, columns: WorkspaceCommand.columns) { $0.text("name") }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one workspace.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The workspace's name.")
        var name: String

        func run() async throws {
            let workspace = try await options.withAPI { try await $0.json(.GET, "workspaces/\(URLEncoding.component(name))") }
            Printer(format: options.output).print(workspace, columns: WorkspaceCommand.columns) { $0.text("name") }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Provision a workspace and follow it until Running (the name is printed on stdout).")
        @OptionGroup var options: ClientOptions
        @Option(help: "The blueprint (default: your first allowed one).")
        var blueprint: String?
        @Option(help: "A second workspace of the same blueprint gets its own instance name.")
        var instance: String?
        @Option(help: "For another user (admin).")
        var username: String?
        @Flag(name: .customLong("no-wait"), help: "Return at once: the workspace's name on stdout, its job id on stderr.")
        var noWait = false

        func run() async throws {
            var body: JSONValue = [:]
            if let blueprint { body["blueprint"] = .string(blueprint) }
            if let instance { body["instance"] = .string(instance) }
            if let username { body["username"] = .string(username) }
            try await options.withAPI { api in
                let ticket = try await api.json(.POST, "workspaces", body: body)
                try await WorkspaceCommand.finish(ticket, api: api, options: options, noWait: noWait, verb: "create")
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a stopped workspace again (same volumes).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The workspace's name.")
        var name: String
        @Flag(name: .customLong("no-wait"), help: "Return at once: the workspace's name on stdout, its job id on stderr.")
        var noWait = false

        func run() async throws {
            try await options.withAPI { api in
                let ticket = try await api.json(.POST, "workspaces/\(URLEncoding.component(name))/start")
                try await WorkspaceCommand.finish(ticket, api: api, options: options, noWait: noWait, verb: "start")
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a workspace: the pod goes, volumes and configuration stay.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The workspace's name.")
        var name: String
        @Flag(help: "Follow the stop job until it ends.")
        var wait = false

        func run() async throws {
            try await options.withAPI { api in
                let ticket = try await api.json(.DELETE, "workspaces/\(URLEncoding.component(name))")
                try await WorkspaceCommand.finish(ticket.merging(workspace: name), api: api, options: options, noWait: !wait, verb: "stop")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a workspace with its volumes (those not marked retain).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The workspace's name.")
        var name: String
        @Flag(help: "Follow the delete job until it ends.")
        var wait = false

        func run() async throws {
            try await options.withAPI { api in
                let ticket = try await api.json(.DELETE, "workspaces/\(URLEncoding.component(name))", query: [("delete", "true")])
                try await WorkspaceCommand.finish(ticket.merging(workspace: name), api: api, options: options, noWait: !wait, verb: "delete")
            }
        }
    }

    /// Prints the job id (no wait) or follows the job; a failed job exits 1 with its last message.
    static func finish(_ ticket: JSONValue, api: CubicleAPI, options: ClientOptions, noWait: Bool, verb: String) async throws {
        guard let jobID = ticket["jobId"]?.stringValue else { throw ClientError.protocolError("the server's answer has no jobId") }
        let name = ticket["workspace"]?.stringValue ?? "-"
        if noWait {
            if options.output == .json || options.output == .yaml {
                Printer(format: options.output).print(ticket, columns: [], name: { _ in "" })
            } else {
                Console.line(verb == "create" || verb == "start" ? name : jobID)
                if !options.quiet { Console.note("job \(jobID) (`cubicle jobs watch \(jobID)` follows it)") }
            }
            return
        }
        let outcome = try await JobProgress(api: api, decorate: options.decorates, quiet: options.quiet).follow(jobID, label: name)
        guard outcome.result == "succeeded" else {
            let job = try? await api.json(.GET, "jobs/\(URLEncoding.component(jobID))")
            let last = job?["events"]?.arrayValue?.last { $0["type"]?.stringValue == "status" }
            throw ClientError(
                ErrorCode(rawValue: "job_failed"), "\(verb) of \(name) failed: \(last?["message"]?.stringValue ?? "see `cubicle jobs watch \(jobID)`")")
        }
        guard verb == "create" || verb == "start" else {
            if !options.quiet { Console.note("\(name): \(verb) done (\(outcome.lastStatus ?? "-"))") }
            return
        }
        let workspace = try await api.json(.GET, "workspaces/\(URLEncoding.component(name))")
        if options.output == .json || options.output == .yaml {
            Printer(format: options.output).print(workspace, columns: [], name: { _ in "" })
        } else {
            Console.line(name)
            if !options.quiet { Console.note("\(name) is \(workspace.text("status")) (`cubicle shell \(name)`)") }
        }
    }
}

extension JSONValue {
    /// The ticket with the workspace's name (stop and delete answer only the job id).
    func merging(workspace name: String) -> JSONValue {
        var copy = self
        if copy["workspace"] == nil { copy["workspace"] = .string(name) }
        return copy
    }
}
