import App
import CubicleTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A normal shutdown logs nothing above info: operators alert on errors and warnings, so a
/// server stopped by its embedder (task cancellation) or by SIGTERM must not produce any.
@Suite struct CleanShutdownTests {
    @Test func anInProcessServerStoppedByCancellationLogsNothingAboveInfo() async throws {
        let data = try TemporaryDirectory("cubicle-clean-stop")
        defer { data.remove() }
        let logs = CapturedLogs()
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: data.path, blueprintsDirectory: "\(ServerHarness.repository)/blueprints",
            workspaceDirectory: "\(ServerHarness.repository)/workspace", forceEmbedded: true, kubelet: .instant,
            podAddressBlocks: ServerHarness.nextBlock(), environment: [:])
        let ready = Mutex<String?>(nil)
        let server = Task {
            try await CubicleServer.run(
                configuration, logger: logs.logger("cubicle"), handleSignals: false,
                onReady: { info in ready.withLock { $0 = info.url } }, makeLogger: { logs.logger($0) })
        }
        try await eventually("the server is ready", within: 120) { ready.withLock { $0 } != nil }
        let url = try #require(ready.withLock { $0 })
        let token = try await blocking { try data.read("admin-token") }.trimmingCharacters(in: .whitespacesAndNewlines)

        // Real work first: a workspace provisioned, its job followed, a kept-alive connection.
        let reply = try await ServerHarness.exchange("POST", url + "/api/v1/workspaces", bearer: token, body: #"{"blueprint":"minimal"}"#).json()
        let jobID = try #require(reply["jobId"] as? String)
        try await eventually("the job completes") {
            try await ServerHarness.exchange("GET", url + "/api/v1/jobs/\(jobID)", bearer: token).json()["status"] as? String == "completed"
        }
        #expect(try await ServerHarness.exchange("GET", url + "/api/v1/healthcheck", bearer: nil).status == 200)

        let before = logs.all.count
        server.cancel()
        let ended = await server.result
        // Cancelled, it may say so (CancellationError); any other error is a failed shutdown.
        if case .failure(let error) = ended {
            #expect(error is CancellationError, "a cancelled server ends cleanly, not with \(error)")
        }
        let stopping = logs.all.dropFirst(before).filter { $0.level > .info }
        #expect(stopping.isEmpty, "logged above info while stopping: \(stopping)")
        let loud = logs.all.filter { $0.level >= .warning }
        #expect(loud.isEmpty, "warnings or errors: \(loud)")
        #expect(logs.all.contains { $0.label == "cubicle.api" }, "the API's logger is the embedder's")
    }

    @Test func cubicleServeStoppedBySIGTERMLogsNoErrorOrWarning() async throws {
        let data = try TemporaryDirectory("cubicle-clean-sigterm")
        defer { data.remove() }
        let serve = try await ServeProcess.start(dataDirectory: data.path, logName: "serve", extraArguments: ["--kubelet", "instant"])
        let token = try await blocking { try data.read("admin-token") }.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await ServerHarness.exchange("GET", serve.url + "/api/v1/workspaces", bearer: token).status == 200)
        try await serve.stop(signal: SIGTERM)
        let log = try await serve.log()
        let loud = log.split(separator: "\n").filter { line in
            [" warning ", " error ", " critical "].contains { line.contains($0) }
        }
        #expect(loud.isEmpty, "\(loud)")
        #expect(log.contains("listening on"))
    }
}
