import App
import CubicleModel
import CubicleTestSupport
import Foundation
import Glibc
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One running workspace (process kubelet, real sshd) shared by every test of a suite: the
/// `FilesWorkspace` suite trait provisions it once, publishes it as `FilesFixture.current`
/// and stops the server after the suite's last test.
struct FilesFixture: Sendable {
    let server: ServerHarness
    let workspace: String

    /// The upload limit the fixture's server runs with.
    static let uploadLimit: Int64 = 24 << 20

    @TaskLocal static var current: FilesFixture?

    /// The suite's fixture.
    static func require() throws -> FilesFixture {
        try #require(current, "the suite needs the .filesWorkspace trait")
    }

    /// `/api/v1/workspaces/<name>/files` with the query made of `items`.
    func url(_ suffix: String = "", _ items: [String: String] = [:]) -> String {
        var components = URLComponents(string: "\(server.url)/api/v1/workspaces/\(workspace)/files\(suffix)")!
        if !items.isEmpty {
            components.queryItems = items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            // `+` is a space in query strings: encode it so paths keep it.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        return components.string!
    }

    /// Runs curl with the admin token; answers the HTTP status and the body.
    func curl(_ arguments: [String], token: String? = nil, stdin: String? = nil) async throws -> (status: Int, body: Data) {
        let dir = try TemporaryDirectory("cubicle-curl")
        defer { dir.remove() }
        let bodyFile = dir.file("body")
        let bearer = token ?? server.adminToken
        let args = ["-sS", "-o", bodyFile, "-w", "%{http_code}", "-H", "Authorization: Bearer \(bearer)"] + arguments
        let output: String = try await blocking {
            try Program.run("/usr/bin/curl", args, inputFile: stdin).output
        }
        let body = (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()
        return (Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, body)
    }

    /// Uploads `file` to `path` with extra query items.
    func put(_ path: String, file: String, _ items: [String: String] = [:], token: String? = nil) async throws -> (status: Int, body: Data) {
        try await curl(["-T", file, url("", items.merging(["path": path]) { a, _ in a })], token: token)
    }

    /// Uploads `text` to `path`.
    func put(_ path: String, text: String, _ items: [String: String] = [:]) async throws -> (status: Int, body: Data) {
        let dir = try TemporaryDirectory("cubicle-text")
        defer { dir.remove() }
        try dir.write("f", text)
        return try await put(path, file: dir.file("f"), items)
    }

    /// Downloads `path` with extra headers; answers status, body and headers.
    func get(_ path: String, _ items: [String: String] = [:], headers: [String: String] = [:], token: String? = nil)
        async throws -> ServerHarness.Reply
    {
        var request = URLRequest(url: URL(string: url("", items.merging(["path": path]) { a, _ in a }))!)
        request.setValue("Bearer \(token ?? server.adminToken)", forHTTPHeaderField: "Authorization")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields["\(key)".lowercased()] = "\(value)" }
        return ServerHarness.Reply(status: http?.statusCode ?? 0, body: data, headers: fields)
    }

    /// Names in a directory, hidden ones included, as the workspace user sees them over SFTP.
    func names(in directory: String) async throws -> [String] {
        let reply = try await get(directory, ["list": "true", "hidden": "true"])
        guard reply.status == 200 else { throw TestFailure("listing \(directory): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))") }
        return try reply.json().array.compactMap { $0["name"] as? String }
    }

    /// Random bytes written to a fresh file; answers its path and SHA-256.
    static func randomFile(_ dir: TemporaryDirectory, _ name: String, bytes: Int) async throws -> (path: String, sha256: String) {
        try await blocking { try makeRandomFile(dir, name, bytes: bytes) }
    }

    private static func makeRandomFile(_ dir: TemporaryDirectory, _ name: String, bytes: Int) throws -> (path: String, sha256: String) {
        var generator = SystemRandomNumberGenerator()
        var words = [UInt64](repeating: 0, count: (bytes + 7) / 8)
        for index in words.indices { words[index] = generator.next() }
        let data = words.withUnsafeBytes { Data($0.prefix(bytes)) }
        let path = dir.file(name)
        try data.write(to: URL(fileURLWithPath: path))
        return (path, hash(data))
    }

    /// Hex SHA-256 via `sha256sum` (a second implementation, not the server's).
    static func sha256(_ data: Data) async throws -> String {
        try await blocking { hash(data) }
    }

    private static func hash(_ data: Data) -> String {
        let dir = try? TemporaryDirectory("cubicle-hash")
        defer { dir?.remove() }
        guard let dir else { return "" }
        let path = dir.file("d")
        try? data.write(to: URL(fileURLWithPath: path))
        let output = (try? Program.run("/usr/bin/sha256sum", [path]).output) ?? ""
        return output.split(separator: " ").first.map(String.init) ?? ""
    }
}

/// Provisions the shared workspace around a whole suite.
struct FilesWorkspaceTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await ServerHarness.with(kubelet: .process, configure: { $0.maxUploadBytes = FilesFixture.uploadLimit }) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            if job["result"] as? String != "succeeded" {
                let diagnosis = await server.podDiagnosis(name)
                try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })\n\(diagnosis)")
            }
            try await FilesFixture.$current.withValue(FilesFixture(server: server, workspace: name)) {
                try await function()
            }
        }
    }
}

extension Trait where Self == FilesWorkspaceTrait {
    /// One provisioned workspace for the whole suite.
    static var filesWorkspace: Self { FilesWorkspaceTrait() }
}
