import CubicleClient
import CubicleModel
import Foundation
import Testing

/// Contexts and how one command's server and token are chosen.
struct ClientConfigurationTests {
    static let file = ClientConfiguration(currentContext: "dev", contexts: [
        .init(name: "dev", server: "http://127.0.0.1:8080/", token: "cub_dev", username: "admin"),
        .init(name: "prod", server: "https://cubicle.example.com", token: "cub_prod"),
    ])

    @Test func flagsOverrideTheEnvironmentWhichOverridesTheFile() throws {
        let plain = try ServerConnection.resolve(context: nil, server: nil, token: nil, configuration: Self.file, environment: [:])
        #expect(plain.server == "http://127.0.0.1:8080" && plain.token == "cub_dev" && plain.contextName == "dev")
        let environment = ["CUBICLE_CONTEXT": "prod", "CUBICLE_TOKEN": "cub_env"]
        let fromEnvironment = try ServerConnection.resolve(context: nil, server: nil, token: nil, configuration: Self.file, environment: environment)
        #expect(fromEnvironment.server == "https://cubicle.example.com" && fromEnvironment.token == "cub_env")
        let flags = try ServerConnection.resolve(
            context: "dev", server: "http://other:1", token: "cub_flag", configuration: Self.file, environment: environment)
        #expect(flags.server == "http://other:1" && flags.token == "cub_flag")
        #expect(flags.webSocketBase == "ws://other:1")
        #expect(fromEnvironment.webSocketBase == "wss://cubicle.example.com")
    }

    @Test func nothingConfiguredNamesTheLoginCommand() {
        #expect {
            try ServerConnection.resolve(context: nil, server: nil, token: nil, configuration: ClientConfiguration(), environment: [:])
        } throws: { error in
            (error as? ClientError)?.code == .noContext && (error as? ClientError)?.message.contains("cubicle login") == true
        }
        #expect(throws: ClientError.self) {
            try ServerConnection.resolve(context: "nope", server: nil, token: nil, configuration: Self.file, environment: [:])
        }
        #expect(throws: ClientError.self) {
            try ServerConnection.resolve(context: nil, server: "ftp://x", token: nil, configuration: Self.file, environment: [:])
        }
    }

    @Test func theFileRoundTripsWithModeSixHundred() throws {
        let directory = NSTemporaryDirectory() + "cubicle-client-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/config.yaml"
        var configuration = Self.file
        configuration.upsert(.init(name: "dev", server: "http://127.0.0.1:9090", token: "cub_new"))
        try configuration.save(to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("current-context: dev"))
        let loaded = try ClientConfiguration.load(from: path)
        #expect(loaded == configuration)
        #expect(loaded.contexts.count == 2 && loaded.context(named: "dev")?.token == "cub_new")
        var removed = loaded
        let didRemove = removed.remove("dev")
        #expect(didRemove)
        #expect(removed.currentContext == "prod")
        #expect(try ClientConfiguration.load(from: directory + "/missing.yaml") == ClientConfiguration())
        try "contexts: 7".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ClientError.self) { try ClientConfiguration.load(from: path) }
    }

    @Test func queryComponentsEncodeSpacesAndPlusUnambiguously() {
        #expect(URLEncoding.query([("path", "~/my file+1.txt"), ("command", "echo a;b")]) == "path=~%2Fmy%20file%2B1.txt&command=echo%20a%3Bb")
        #expect(URLEncoding.component("é") == "%C3%A9")
    }
}
