import App
import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// `cubicle context add|list|use|delete|current`: named servers in the configuration file.
struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Manage named contexts (server, token, TLS options) in ~/.config/cubicle/config.yaml.",
        subcommands: [Add.self, List.self, Use.self, Delete.self, Current.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add (or replace) a context and make it current.",
            discussion: """
                The token is read from stdin (--token-stdin) or a file (--token-file), never from the
                command line; with a token the context is checked against the server (GET /me/profile).

                Examples:
                  cubicle context add dev --server http://127.0.0.1:8080 --token-file .cubicle/admin-token
                  printenv PROD_TOKEN | cubicle context add prod --server https://cubicle.example.com --token-stdin
                """)

        @Argument(help: "The context's name.")
        var name: String
        @Option(help: "The server's URL.")
        var server: String
        @Flag(name: .customLong("token-stdin"), help: "Read the token from stdin.")
        var tokenStdin = false
        @Option(name: .customLong("token-file"), help: "Read the token from this file.")
        var tokenFile: String?
        @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Do not verify the server's certificate (test servers only).")
        var insecure = false
        @Option(name: .customLong("certificate-authority"), help: "A PEM file with the CA of the server's certificate.")
        var certificateAuthority: String?
        @Flag(name: .customLong("no-verify"), help: "Do not check the token against the server.")
        var noVerify = false

        func run() async throws {
            let token = try await TokenInput.read(stdin: tokenStdin, file: tokenFile)
            var context = ClientConfiguration.Context(
                name: name, server: server, token: token, insecureSkipTLSVerify: insecure ? true : nil, certificateAuthority: certificateAuthority)
            let connection = ServerConnection(
                server: server, token: token, insecureSkipTLSVerify: insecure, certificateAuthority: certificateAuthority)
            guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
                throw ClientError.invalid("the server must be an http:// or https:// URL, got \(server)")
            }
            context.server = connection.server
            if token != nil, !noVerify {
                let profile = try await ClientOptions.withAPI(connection) { try await $0.json(.GET, "me/profile") }
                context.username = profile["username"]?.stringValue
            }
            var store = try await ConfigStore.load()
            store.value.upsert(context)
            store.value.currentContext = name
            try await store.save()
            Console.note("context \(name) added (\(context.server)\(context.username.map { ", as \($0)" } ?? "")) and in use")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the contexts (tokens are never shown).")
        @Option(name: [.short, .customLong("output")], help: "table, json, yaml or name.")
        var output: OutputFormat = .table

        func run() async throws {
            let store = try await ConfigStore.load()
            let rows: [JSONValue] = store.value.contexts.map { context in
                var row: JSONValue = [
                    "name": .string(context.name), "server": .string(context.server),
                    "current": .bool(context.name == store.value.currentContext), "hasToken": .bool(context.token != nil),
                ]
                if let username = context.username { row["username"] = .string(username) }
                return row
            }
            Printer(format: output).print(.array(rows), columns: [
                .init(header: "CURRENT") { $0["current"]?.boolValue == true ? "*" : "" },
                .init(header: "NAME") { $0.text("name") },
                .init(header: "SERVER") { $0.text("server") },
                .init(header: "USER") { $0.text("username") },
            ], name: { $0.text("name") })
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a context the current one.")
        @Argument(help: "The context's name.")
        var name: String

        func run() async throws {
            var store = try await ConfigStore.load()
            guard store.value.context(named: name) != nil else {
                throw ClientError.noContext("no context named \(name); `cubicle context list` shows them")
            }
            store.value.currentContext = name
            try await store.save()
            Console.note("now using context \(name)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a context (and its token) from the file.")
        @Argument(help: "The context's name.")
        var name: String

        func run() async throws {
            var store = try await ConfigStore.load()
            guard store.value.remove(name) else { throw ClientError.noContext("no context named \(name)") }
            try await store.save()
            Console.note("context \(name) deleted")
        }
    }

    struct Current: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the current context's name.")

        func run() async throws {
            let store = try await ConfigStore.load()
            guard let name = store.value.currentContext else { throw ClientError.noContext("no context configured — \(ServerConnection.loginHint)") }
            Console.line(name)
        }
    }
}

/// Tokens come from stdin or a file, never from the command line.
enum TokenInput {
    /// The token, or nil when neither source is given.
    static func read(stdin: Bool, file: String?) async throws -> String? {
        if stdin, file != nil { throw ClientError.invalid("give --token-stdin or --token-file, not both") }
        let text: String?
        if stdin {
            text = try await Offload.run { String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        } else if let file {
            text = try await Offload.run {
                guard let data = FileManager.default.contents(atPath: file) else { throw ClientError.invalid("cannot read \(file)") }
                return String(decoding: data, as: UTF8.self)
            }
        } else {
            text = nil
        }
        guard let text else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else { throw ClientError.invalid("the token is empty or not one word") }
        return token
    }
}
