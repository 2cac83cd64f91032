import CubicleTestSupport
import Foundation
import Testing

/// Two `cubicle serve` processes on one machine (two developers on one box, a test run beside
/// `make run`) with their own data directories: each embedded cluster hands out pod addresses
/// the other does not hold, so both workspaces reach Running with working SSH.
@Suite struct SideBySideServersTests {
    @Test func twoServersOnOneMachineEachProvisionAWorkspaceWithWorkingSSH() async throws {
        await ServerHarness.processServerSlots.acquire()
        defer { ServerHarness.processServerSlots.release() }
        let first = try TemporaryDirectory("cubicle-side-a")
        let second = try TemporaryDirectory("cubicle-side-b")
        defer {
            first.remove()
            second.remove()
        }
        // The same address block for both, as two default `cubicle serve` would share 127.77.0.x.
        let arguments = ["--pod-address-blocks", "149"]
        let one = try await ServeProcess.start(dataDirectory: first.path, logName: "serve", extraArguments: arguments)
        let two: ServeProcess
        do {
            two = try await ServeProcess.start(dataDirectory: second.path, logName: "serve", extraArguments: arguments)
        } catch {
            try? await one.stop(signal: SIGTERM)
            throw error
        }
        do {
            // At the same time, so each kubelet picks its address while the other's pod has not
            // yet bound its own: only the machine-wide locks keep them apart.
            async let provisionedA = Self.provision(one, data: first)
            async let provisionedB = Self.provision(two, data: second)
            let (a, b) = try await (provisionedA, provisionedB)
            #expect(a.podIP != b.podIP, "both pods got \(a.podIP)")
            for (server, data, workspace) in [(one, first, a), (two, second, b)] {
                try await Self.expectWorkingSSH(server, data: data, workspace: workspace.name)
            }
        } catch {
            try? await one.stop(signal: SIGTERM)
            try? await two.stop(signal: SIGTERM)
            throw error
        }
        try await one.stop(signal: SIGTERM)
        try await two.stop(signal: SIGTERM)
    }

    static func token(_ data: TemporaryDirectory) async throws -> String {
        try await blocking { try data.read("admin-token") }.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Provisions `minimal` and waits for its job to succeed; the workspace's name and pod address.
    static func provision(_ server: ServeProcess, data: TemporaryDirectory) async throws -> (name: String, podIP: String) {
        let token = try await token(data)
        let api = server.url + "/api/v1"
        let reply = try await ServerHarness.exchange("POST", api + "/workspaces", bearer: token, body: #"{"blueprint":"minimal"}"#).json()
        let name = try #require(reply["workspace"] as? String)
        let jobID = try #require(reply["jobId"] as? String)
        var job = JSONObject([:])
        try await eventually("the job of \(name) completes (log \(server.logPath))", within: 120) {
            job = try await ServerHarness.exchange("GET", api + "/jobs/\(jobID)", bearer: token).json()
            return job["status"] as? String == "completed"
        }
        try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" }) \(ServeProcess.tail(server.logPath))")
        let workspace = try await ServerHarness.exchange("GET", api + "/workspaces/\(name)", bearer: token).json()
        #expect(workspace["status"] as? String == "Running")
        return (name, try #require(workspace["podIP"] as? String))
    }

    /// A file written and read back through the workspace's sshd (SFTP over the pooled session).
    static func expectWorkingSSH(_ server: ServeProcess, data: TemporaryDirectory, workspace: String) async throws {
        let token = try await token(data)
        let files = server.url + "/api/v1/workspaces/\(workspace)/files?path=~/side-by-side.txt"
        let put = try await ServerHarness.exchange("PUT", files, bearer: token, body: "written through \(workspace)")
        #expect(put.status == 201, "\(String(decoding: put.body, as: UTF8.self)) \(ServeProcess.tail(server.logPath))")
        let got = try await ServerHarness.exchange("GET", files, bearer: token)
        #expect(got.status == 200)
        #expect(String(decoding: got.body, as: UTF8.self) == "written through \(workspace)")
    }
}
