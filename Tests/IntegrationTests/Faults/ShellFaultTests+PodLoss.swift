import CubicleTestSupport
import Foundation
import KubeClient
import Testing

extension ShellFaultTests {
    /// The workspace pod vanishes (deleted through the cluster API) under an open shell and a
    /// download that is half read: both clients learn it within a deadline — the shell gets a
    /// status and a close, the download a connection that ends short — and the server stays
    /// healthy and can start the workspace again. Runs on a second workspace of the suite's
    /// server, so the other tests keep theirs.
    @Test func deletedPodEndsTheShellAndTheDownloadAndTheWorkspaceStartsAgain() async throws {
        let fixture = try ShellWorkspace.get()
        let server = fixture.server
        let port = HostileHTTP.port(of: server.url)
        let created = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev","instance":"podloss"}"#).json()
        let name = try #require(created["workspace"] as? String, "\(created.value)")
        let job = try await server.finishedJob(try #require(created["jobId"] as? String), within: 120)
        try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
        let size = 128 << 20
        let made = try await ShellExec.run(port: port, workspace: name, token: server.adminToken, script: "head -c \(size) /dev/zero > $HOME/big.bin && echo made")
        #expect(made.stdout == "made\n")

        // A download read slowly: the headers and a first piece, then nothing.
        let download = try await RawHTTP.open(port: port, receiveBuffer: 16 * 1024)
        defer { Task { await download.close() } }
        try await download.send(Array(
            "GET /api/v1/workspaces/\(name)/files?path=~/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(server.adminToken)\r\n\r\n".utf8))
        let first = try await download.receive(timeout: 60) { bytes in
            bytes.count >= 2048 && String(decoding: bytes, as: UTF8.self).contains("\r\n\r\n")
        }
        let head = first.text.components(separatedBy: "\r\n\r\n").first ?? ""
        try #require(head.hasPrefix("HTTP/1.1 200"), "\(head)")
        #expect(head.lowercased().contains("content-length: \(size)"))
        let firstBody = first.bytes.count - head.utf8.count - 4

        // An interactive shell that works.
        let shell = try await RawWebSocket.connect(
            port: port, path: "/api/v1/workspaces/\(name)/interactive", token: server.adminToken, userAgent: "podloss-\(UUID().uuidString.prefix(8))")
        defer { Task { await shell.close() } }
        try #require(shell.status == 101, "\(shell.head)")
        try await shell.send(channel: 0, Array("echo ready-$((40+2))\n".utf8))
        #expect(try await shell.waitForOutput("ready-42"))

        try await server.kube.delete(Pod.self, name: name, namespace: "default", options: DeleteOptions(gracePeriodSeconds: 0))

        let ending = try await shell.ending(timeout: 90)
        let status = ending.frames.last { $0.opcode == 0x2 && $0.payload.first == 3 }.map { String(decoding: $0.payload.dropFirst(), as: UTF8.self) }
        #expect(ending.socketClosed, "the shell must end when its pod is gone")
        #expect(status?.contains("\"Failure\"") == true, "a Failure status names the cause: \(status ?? "no status"), close \(ending.closeCode.map(String.init) ?? "none") \(ending.closeReason)")
        let rest = try await download.drain(timeout: 90)
        #expect(rest.closed, "the download must end, not hang")
        #expect(firstBody + rest.count < size, "the download must not pretend to be complete: \(firstBody + rest.count) bytes")

        #expect(try await server.request("GET", "/api/v1/healthcheck").status == 200)
        let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()
        _ = try await server.finishedJob(try #require(stop["jobId"] as? String, "\(stop.value)"), within: 120)
        let again = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev","instance":"podloss"}"#).json()
        let restarted = try await server.finishedJob(try #require(again["jobId"] as? String, "\(again.value)"), within: 120)
        #expect(restarted["result"] as? String == "succeeded", "\(restarted.list("events").map { $0["message"] ?? "" })")
        let echo = try await ShellExec.run(port: port, workspace: name, token: server.adminToken, script: "echo back")
        #expect(echo.stdout == "back\n")
    }
}
