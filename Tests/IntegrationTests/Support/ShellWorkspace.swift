import App
import CubicleTestSupport
import Foundation
import Testing

/// One server (process kubelet, every session recorded, a short detach TTL) with one running
/// `dev` workspace of the admin, shared by the tests of a suite and torn down after it.
struct ShellWorkspace: Sendable {
    let server: ServerHarness
    let name: String

    @TaskLocal static var current: ShellWorkspace?

    /// The fixture of the running suite.
    static func get() throws -> ShellWorkspace {
        guard let current else { throw TestFailure("the suite needs the .shellWorkspace trait") }
        return current
    }

    /// `/api/v1/workspaces/<name>/interactive?<query>`.
    func path(_ query: String = "") -> String {
        "/api/v1/workspaces/\(name)/interactive" + (query.isEmpty ? "" : "?\(query)")
    }
}

/// Provides `ShellWorkspace.current` to every test of the suite.
struct ShellWorkspaceTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await ServerHarness.with(kubelet: .process, configure: { configuration in
            configuration.recordAllSessions = true
            configuration.shellDetachTTL = 120
        }) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
            try await ShellWorkspace.$current.withValue(ShellWorkspace(server: server, name: name)) { try await function() }
        }
    }
}

extension Trait where Self == ShellWorkspaceTrait {
    /// One provisioned workspace for the whole suite.
    static var shellWorkspace: Self { ShellWorkspaceTrait() }
}
