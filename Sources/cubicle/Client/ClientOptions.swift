import App
import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// The options every client command takes: which server, with which credential, how to print.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("context"), help: "The context to use (env CUBICLE_CONTEXT; default: the current context).")
    var context: String?

    @Option(name: .customLong("server"), help: "The server URL, overriding the context's (env CUBICLE_SERVER).")
    var server: String?

    @Option(name: .customLong("token"), help: "A token, overriding the context's (prefer env CUBICLE_TOKEN: a flag shows in ps).")
    var token: String?

    @Option(name: [.short, .customLong("output")], help: "table (default), wide, json, yaml or name.")
    var output: OutputFormat = .table

    @Flag(name: [.short, .customLong("quiet")], help: "No progress or colour on stderr.")
    var quiet = false

    /// Runs `body` with an API client for the resolved connection and always shuts it down.
    func withAPI<T>(_ body: (CubicleAPI) async throws -> T) async throws -> T {
        let configuration = try await ConfigStore.load()
        let connection = try ServerConnection.resolve(context: context, server: server, token: token, configuration: configuration.value)
        return try await Self.withAPI(connection, body)
    }

    /// Runs `body` with an API client for `connection` and always shuts it down.
    static func withAPI<T>(_ connection: ServerConnection, _ body: (CubicleAPI) async throws -> T) async throws -> T {
        let api = try CubicleAPI(connection: connection)
        do {
            let result = try await body(api)
            await api.shutdown()
            return result
        } catch {
            await api.shutdown()
            throw error
        }
    }

    /// Whether progress bars and colour may be drawn on stderr.
    var decorates: Bool { !quiet && Console.isTerminal(.standardError) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
}

/// How results are printed on stdout.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml, name
}

/// The configuration file with its path.
struct ConfigStore {
    var path: String
    var value: ClientConfiguration

    /// Reads the file (off the cooperative pool).
    static func load() async throws -> ConfigStore {
        let path = ClientConfiguration.defaultPath()
        return try await Offload.run { ConfigStore(path: path, value: try ClientConfiguration.load(from: path)) }
    }

    /// Writes the file (mode 0600).
    func save() async throws {
        let (value, path) = (value, path)
        try await Offload.run { try value.save(to: path) }
    }

    /// Where client state (resumable uploads) lives: beside the configuration file.
    var stateDirectory: String { (path as NSString).deletingLastPathComponent }
}
