import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// `cubicle jobs get|watch`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Show or follow a provisioning job.", subcommands: [Get.self, Watch.self], aliases: ["job"])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job with its events.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The job id.")
        var id: String

        func run() async throws {
            let job = try await options.withAPI { try await $0.json(.GET, "jobs/\(URLEncoding.component(id))") }
            if options.output == .table || options.output == .wide {
                Console.line("\(job.text("action")) of \(job.text("workspaceName")): \(job.text("status")) \(job.text("result"))")
                let events = job["events"] ?? .array([])
                Printer(format: options.output).print(events, columns: [
                    .init(header: "TIME") { $0.text("timestamp") },
                    .init(header: "TYPE") { $0.text("type") },
                    .init(header: "STATUS") { $0.text("status") },
                    .init(header: "MESSAGE") { $0.text("message") },
                ], name: { $0.text("id") })
            } else {
                Printer(format: options.output).print(job, columns: [], name: { $0.text("id") })
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow a job's events until it completes; exits 1 when it failed.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The job id.")
        var id: String

        func run() async throws {
            let outcome = try await options.withAPI { api in
                try await JobProgress(api: api, decorate: options.decorates, quiet: options.quiet).follow(id, label: "job")
            }
            if !options.quiet { Console.note("job \(id): \(outcome.result ?? "-") (\(outcome.lastStatus ?? "-"))") }
            if outcome.result != "succeeded" { throw ExitStatus(1) }
        }
    }
}

/// `cubicle apps list|install|start|stop|logs WORKSPACE [APP]`.
struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps", abstract: "The apps of a workspace.",
        subcommands: [List.self, Install.self, Start.self, Stop.self, Logs.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's apps.", aliases: ["ls"])
        @OptionGroup var options: ClientOptions
        @Argument(help: "The workspace's name.")
        var workspace: String

        func run() async throws {
            let apps = try await options.withAPI { try await $0.json(.GET, "workspaces/\(URLEncoding.component(workspace))/apps") }
            Printer(format: options.output).print(apps, columns: [
                .init(header: "NAME") { $0.text("name") },
                .init(header: "STATUS") { $0.text("status") },
                .init(header: "VERSION") { $0.text("version") },
                .init(header: "PORT") { $0.text("port") },
                .init(header: "PID", wide: true) { $0.text("pid") },
                .init(header: "RESTARTS") { $0.text("restarts") },
                .init(header: "PROTOCOL", wide: true) { $0.text("protocol") },
            ], name: { $0.text("name") })
        }
    }

    /// One app action (`install`, `start`, `stop`).
    static func act(_ action: String, options: ClientOptions, workspace: String, app: String, query: [(String, String)] = []) async throws {
        let answer = try await options.withAPI {
            try await $0.json(.POST, "workspaces/\(URLEncoding.component(workspace))/apps/\(URLEncoding.component(app))/\(action)", query: query)
        }
        if options.output == .json || options.output == .yaml {
            Printer(format: options.output).print(answer, columns: [], name: { _ in "" })
        } else {
            Console.line("\(answer.text("name")) \(answer.text("status"))")
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Install an app (in the background).")
        @OptionGroup var options: ClientOptions
        @Argument var workspace: String
        @Argument var app: String
        @Flag(help: "Reinstall an installed app.")
        var force = false
        func run() async throws { try await AppsCommand.act("install", options: options, workspace: workspace, app: app, query: force ? [("force", "true")] : []) }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start an app.")
        @OptionGroup var options: ClientOptions
        @Argument var workspace: String
        @Argument var app: String
        func run() async throws { try await AppsCommand.act("start", options: options, workspace: workspace, app: app) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an app.")
        @OptionGroup var options: ClientOptions
        @Argument var workspace: String
        @Argument var app: String
        func run() async throws { try await AppsCommand.act("stop", options: options, workspace: workspace, app: app) }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an app's log (-f follows it until Ctrl-C).")
        @OptionGroup var options: ClientOptions
        @Argument var workspace: String
        @Argument var app: String
        @Flag(name: [.short, .customLong("follow")], help: "Keep printing new lines.")
        var follow = false
        @Option(help: "Only the last N lines.")
        var tail: Int?
        @Flag(help: "The install log instead of the app's.")
        var install = false

        func run() async throws {
            var query: [(String, String)] = []
            if follow { query.append(("follow", "true")) }
            if let tail { query.append(("tail", String(tail))) }
            if install { query.append(("type", "install")) }
            let path = "workspaces/\(URLEncoding.component(workspace))/apps/\(URLEncoding.component(app))/logs"
            let stdout = try await LocalFile.openForWriting("-", append: true)
            try await options.withAPI { api in try await api.stream(.GET, path, query: query, into: stdout) }
        }
    }
}

/// `cubicle sysinfo WORKSPACE`.
struct SysinfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sysinfo", abstract: "CPU, memory and mounts as the workspace sees them.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The workspace's name.")
    var workspace: String

    func run() async throws {
        let info = try await options.withAPI { try await $0.json(.GET, "workspaces/\(URLEncoding.component(workspace))/sysinfo") }
        guard options.output == .table || options.output == .wide else {
            return Printer(format: options.output).print(info, columns: [], name: { _ in workspace })
        }
        let system = info["system"] ?? [:]
        Console.line("uptime \(system.text("uptime")) s, cpu \(system.text("cpuUsageMillicores"))m of \(system.text("cpuLimitMillicores"))m, "
            + "memory \(system.text("memoryUsageMiB")) MiB of \(system.text("memLimitMiB")) MiB, load \(system.text("cpuAvg1min")) \(system.text("cpuAvg5min")) \(system.text("cpuAvg15min"))")
        Printer(format: options.output).print(info["mounts"] ?? .array([]), columns: [
            .init(header: "MOUNT") { $0.text("mountPoint") },
            .init(header: "TYPE") { $0.text("fsType") },
            .init(header: "SIZE") { Human.bytes($0["totalBytes"]?.intValue ?? 0) },
            .init(header: "USED") { Human.bytes($0["usedBytes"]?.intValue ?? 0) },
            .init(header: "FREE") { Human.bytes($0["availableBytes"]?.intValue ?? 0) },
            .init(header: "RO", wide: true) { $0.text("readOnly") },
        ], name: { $0.text("mountPoint") })
    }
}

/// `cubicle sessions [WORKSPACE]`.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "Your shell sessions, newest first.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Only this workspace's sessions.")
    var workspace: String?
    @Option(help: "At most this many.")
    var limit: Int = 50

    func run() async throws {
        var query: [(String, String)] = [("limit", String(limit))]
        if let workspace { query.append(("workspace", workspace)) }
        let sessions = try await options.withAPI { try await $0.json(.GET, "me/sessions", query: query) }
        Printer(format: options.output).print(sessions, columns: [
            .init(header: "SESSION") { $0.text("sessionID") },
            .init(header: "WORKSPACE") { $0.text("workspace") },
            .init(header: "STARTED") { Human.age(since: $0["startTime"]?.stringValue) },
            .init(header: "ENDED") { $0["endTime"]?.stringValue == nil ? "open" : Human.age(since: $0["endTime"]?.stringValue) },
            .init(header: "IN") { Human.bytes($0["bytesIn"]?.intValue ?? 0) },
            .init(header: "OUT") { Human.bytes($0["bytesOut"]?.intValue ?? 0) },
            .init(header: "CLIENT", wide: true) { $0.text("client") },
        ], name: { $0.text("sessionID") })
    }
}

/// `cubicle tokens list|create|delete`.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Your personal access tokens.", subcommands: [List.self, Create.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your tokens (never their secrets).", aliases: ["ls"])
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let tokens = try await options.withAPI { try await $0.json(.GET, "me/tokens") }
            Printer(format: options.output).print(tokens, columns: [
                .init(header: "ID") { $0.text("id") },
                .init(header: "NAME") { $0.text("name") },
                .init(header: "SCOPES") { $0["scopes"]?.arrayValue?.isEmpty == false ? $0.text("scopes") : "*" },
                .init(header: "PREVIEW") { $0.text("preview") },
                .init(header: "CREATED") { Human.age(since: $0["createdAt"]?.stringValue) },
                .init(header: "EXPIRES", wide: true) { $0.text("expiresAt") },
                .init(header: "LAST USED", wide: true) { $0.text("lastUsedAt") },
            ], name: { $0.text("id") })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; the secret is printed once, on stdout.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "A name for the token.")
        var name: String
        @Option(name: .customLong("scope"), help: "A scope (repeatable), e.g. workspace:read; none: everything you may do.")
        var scopes: [String] = []
        @Option(name: .customLong("expires-in"), help: "Lifetime such as 30d or 12h.")
        var expiresIn: String?

        func run() async throws {
            var body: JSONValue = ["name": .string(name)]
            if !scopes.isEmpty { body["scopes"] = .array(scopes.map(JSONValue.string)) }
            if let expiresIn {
                let days = expiresIn.hasSuffix("d") ? Double(expiresIn.dropLast()).map { $0 * 86_400 } : nil
                guard let seconds = days ?? (try? DurationString(expiresIn))?.seconds, seconds > 0 else {
                    throw ClientError.invalid("--expires-in must look like 30d, 12h or 90m")
                }
                body["expiresAt"] = .string(RFC3339.string(from: Date().addingTimeInterval(seconds)))
            }
            let issued = try await options.withAPI { try await $0.json(.POST, "me/tokens", body: body) }
            if options.output == .json || options.output == .yaml {
                Printer(format: options.output).print(issued, columns: [], name: { _ in "" })
            } else {
                Console.line(issued.text("token"))
                if !options.quiet { Console.note("token \(issued.text("id")) created; it is shown only this once") }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token, effective at once.", aliases: ["revoke"])
        @OptionGroup var options: ClientOptions
        @Argument(help: "The token's id.")
        var id: String

        func run() async throws {
            try await options.withAPI { try await $0.json(.DELETE, "me/tokens/\(URLEncoding.component(id))") }
            if !options.quiet { Console.note("token \(id) revoked") }
        }
    }
}
