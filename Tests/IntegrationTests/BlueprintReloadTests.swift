import CubicleTestSupport
import Foundation
import Testing

/// Operators edit the blueprint directory of a running server: a broken edit is reported with its
/// file and line while the last good set keeps serving; a fix is picked up.
@Suite struct BlueprintReloadTests {
    @Test func aBadCELExpressionIsReportedWithFileAndLineAndThePreviousSetKept() async throws {
        let directory = try TemporaryDirectory("cubicle-bp")
        defer { directory.remove() }
        for name in ["base.yaml", "dev.yaml", "minimal.yaml"] {
            try directory.write(name, try String(contentsOfFile: "\(ServerHarness.repository)/blueprints/\(name)", encoding: .utf8))
        }
        try await ServerHarness.with(blueprints: directory.path) { server in
            let healthy = try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).json()
            #expect(healthy["blueprints"] as? String == "ok")

            // An edit that renames `minimal` and breaks an expression on line 6.
            let broken = """
                blueprint:
                  name: minimal-renamed
                  template: base
                  description: broken on purpose
                  env:
                    GREETING: !cel "'hello ' + user.nosuchfield +"
                """
            try await blocking { try directory.write("minimal.yaml.tmp", broken) }
            try await blocking {
                guard rename(directory.file("minimal.yaml.tmp"), directory.file("minimal.yaml")) == 0 else { throw TestFailure("rename failed") }
            }
            var status = ""
            try await eventually("the health check reports the broken file", within: 20) {
                status = try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).json()["blueprints"] as? String ?? ""
                return status.hasPrefix("error")
            }
            #expect(status.contains("minimal.yaml:6:"), "the error names the file and line: \(status)")

            // The previous set is still what users get: `minimal` exists, `minimal-renamed` does not.
            let names = try await server.request("GET", "/api/v1/me/blueprints").json().array.compactMap { $0["name"] as? String }
            #expect(names.sorted() == ["dev", "minimal"])
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#)
            #expect(reply.status == 202)
            let job = try await server.finishedJob(try #require(try reply.json()["jobId"] as? String))
            #expect(job["result"] as? String == "succeeded")

            // A fix is picked up and the renamed blueprint appears.
            try await blocking { try directory.write("minimal.yaml", broken.replacingOccurrences(of: "user.nosuchfield +", with: "user.username")) }
            try await eventually("the fixed set loads", within: 20) {
                try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).json()["blueprints"] as? String == "ok"
            }
            let fixed = try await server.request("GET", "/api/v1/me/blueprints").json().array.compactMap { $0["name"] as? String }
            #expect(fixed.sorted() == ["dev", "minimal-renamed"])
        }
    }
}
