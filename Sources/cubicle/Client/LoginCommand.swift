import App
import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// `cubicle login`: signs in through the server's OpenID Connect provider in a browser and keeps
/// the personal access token it hands out in a context; `--token-stdin` for headless machines.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in (browser OpenID Connect flow, or a token on stdin) and save a context.",
        discussion: """
            Opens the sign-in page in a browser (or prints its URL), waits until the sign-in is
            complete and stores the personal access token the server issues in a context, which
            becomes the current one.

            Examples:
              cubicle login --server https://cubicle.example.com
              cubicle login --server https://cubicle.example.com --no-browser
              cubicle login --server http://127.0.0.1:8080 --token-stdin < .cubicle/admin-token
            """)

    @Option(help: "The server's URL (default: the current context's).")
    var server: String?
    @Option(name: .customLong("context"), help: "The context to save (default: the server's host name).")
    var contextName: String?
    @Option(help: "The sign-in provider, e.g. oidc/corp (default: the server's first).")
    var provider: String?
    @Flag(name: .customLong("token-stdin"), help: "Read a token from stdin instead of signing in with a browser.")
    var tokenStdin = false
    @Flag(name: .customLong("no-browser"), help: "Only print the URL to open.")
    var noBrowser = false
    @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Do not verify the server's certificate (test servers only).")
    var insecure = false
    @Option(help: "Seconds to wait for the browser sign-in.")
    var timeout: Double = 300

    func run() async throws {
        var store = try await ConfigStore.load()
        let current = store.value.currentContext.flatMap { store.value.context(named: $0) }
        guard let base = server ?? current?.server else {
            throw ClientError.noContext("no server given — run `cubicle login --server URL`")
        }
        var connection = ServerConnection(server: base, insecureSkipTLSVerify: insecure)
        let name = contextName ?? URLComponents(string: connection.server)?.host ?? "default"
        let signedIn: (username: String, token: String)
        if tokenStdin {
            guard let token = try await TokenInput.read(stdin: true, file: nil) else { throw ClientError.invalid("no token on stdin") }
            connection.token = token
            let profile = try await ClientOptions.withAPI(connection) { try await $0.json(.GET, "me/profile") }
            signedIn = (profile["username"]?.stringValue ?? "", token)
        } else {
            signedIn = try await ClientOptions.withAPI(connection) { try await browserLogin($0) }
        }
        store.value.upsert(ClientConfiguration.Context(
            name: name, server: connection.server, token: signedIn.token, username: signedIn.username,
            insecureSkipTLSVerify: insecure ? true : nil))
        store.value.currentContext = name
        try await store.save()
        Console.note("signed in to \(connection.server) as \(signedIn.username); context \(name) is current")
    }

    private func browserLogin(_ api: CubicleAPI) async throws -> (username: String, token: String) {
        let providers = try await api.json(.GET, "auth/providers").arrayValue ?? []
        guard let chosen = provider ?? providers.first?["name"]?.stringValue else {
            throw ClientError(.notFound, "the server has no sign-in provider; use `cubicle login --token-stdin`")
        }
        let state = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined(separator: "-")
        let url = api.url("auth/login", query: [("provider", chosen), ("redirect", "/"), ("createPAT", "true"), ("state", state)])
        Console.note("Open this URL to sign in:\n  \(url)")
        if !noBrowser { _ = try? await Offload.run { Browser.open(url) } }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // 404 until the browser has opened the URL (the server learns the state then), 202 while
            // the sign-in runs, 200 once with the token.
            let (status, body) = try await api.exchange(.GET, "auth/token", query: [("state", state)], accept: [200, 202, 404])
            if status == 200 {
                let answer = try JSONValue.parse(body)
                guard let token = answer["token"]?.stringValue else { throw ClientError.protocolError("the sign-in answer has no token") }
                return (answer["username"]?.stringValue ?? "", token)
            }
            try await Task.sleep(for: .seconds(1))
        }
        throw ClientError(.timeout, "the sign-in was not completed within \(Int(timeout)) s")
    }
}

/// Opening a URL in the user's browser, when there is one (spawns a program: call off the pool).
enum Browser {
    static func open(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil || environment["BROWSER"] != nil else { return }
        let opener = environment["BROWSER"] ?? "xdg-open"
        _ = try? Program.launch("/usr/bin/env", [opener, url], stdout: .null, stderr: .null)
    }
}
