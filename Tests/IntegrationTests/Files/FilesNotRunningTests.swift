import CubicleTestSupport
import Foundation
import Testing

/// File routes on a stopped workspace answer 409 `workspace_not_running` (no SSH attempted).
@Suite struct FilesNotRunningTests {
    @Test func everyFileRouteOfAStoppedWorkspaceAnswers409NotRunning() async throws {
        try await ServerHarness.with(kubelet: .instant) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            _ = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 60)
            let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()
            _ = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 60)

            let base = "/api/v1/workspaces/\(name)/files"
            let answers = [
                try await server.request("GET", "\(base)?path=~/x"),
                try await server.request("PUT", "\(base)?path=~/x", body: "x"),
                try await server.request("DELETE", "\(base)?path=~/x"),
                try await server.request("POST", "\(base)/uploads", body: #"{"path":"~/x","size":1}"#),
            ]
            for answer in answers {
                #expect(answer.status == 409)
                #expect(try answer.json()["code"] as? String == "workspace_not_running")
            }
            let missing = try await server.request("GET", "/api/v1/workspaces/nobody-1234567/files?path=~/x")
            #expect(missing.status == 404)
        }
    }
}
