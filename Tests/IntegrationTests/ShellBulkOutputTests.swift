import CubicleModel
import CubicleTestSupport
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Synchronization
import Testing
import HummingbirdWSClient

/// Bulk output read as fast as the client can: the server process's peak memory must not grow
/// with the size of the output (back-pressure from the WebSocket through the bridge and the
/// channel buffer down to the SSH window). The slow-reader case lives with the fault tests.
@Suite struct ShellBulkOutputTests {
    @Test func fastBulkOutputKeepsServerPeakMemoryIndependentOfSize() async throws {
        await ServerHarness.processServerSlots.acquire()
        defer { ServerHarness.processServerSlots.release() }
        let data = try TemporaryDirectory("cubicle-bulk")
        defer { data.remove() }
        let serve = try await ServeProcess.start(dataDirectory: data.path, logName: "serve", extraArguments: [
            "--kubelet", "process", "--pod-address-blocks", "\(ServerHarness.nextBlock().lowerBound)"])
        do {
            let token = try await blocking { try String(contentsOfFile: data.file("admin-token"), encoding: .utf8) }
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let reply = try await ServerHarness.exchange("POST", serve.url + "/api/v1/workspaces", bearer: token, body: #"{"blueprint":"dev"}"#).json()
            let workspace = try #require(reply["workspace"] as? String)
            let job = try #require(reply["jobId"] as? String)
            var last = JSONObject([:])
            try await eventually("job \(job) completes", within: 120) {
                last = try await ServerHarness.exchange("GET", serve.url + "/api/v1/jobs/\(job)", bearer: token).json()
                return last["status"] as? String == "completed"
            }
            try #require(last["result"] as? String == "succeeded", "\(last.list("events").map { $0["message"] ?? "" })")

            // A small run first, so the baseline includes a channel, a socket and the bridge at work.
            // (Retried: right after provisioning, a heavily loaded run may not reach the shell at once.)
            let small = 8 << 20
            try await eventually("a first bulk command completes", within: 60) {
                let first = try await Self.readOutput(serve.url, workspace: workspace, token: token, bytes: small)
                return first.bytes == small && first.status.contains("Success")
            }
            let pid = serve.pid
            let baseline = try await blocking { try Self.peakRSS(of: pid) }
            let large = 512 << 20
            let bulk = try await Self.readOutput(serve.url, workspace: workspace, token: token, bytes: large)
            #expect(bulk.bytes == large && bulk.status.contains("Success"), "\(bulk.bytes) bytes, status '\(bulk.status)', close \(bulk.close)")
            let growth = try await blocking { try Self.peakRSS(of: pid) } - baseline
            // Before back-pressure reached the SSH window the peak grew by most of the output
            // (232 MiB for 256 MiB). Bounded buffers need a few MiB per channel; the rest of the
            // margin is allocator and embedded-cluster noise under a loaded test run (seen up to
            // ~105 MiB), which does not grow with the output.
            #expect(growth < 192 << 20, "peak RSS grew by \(growth >> 20) MiB while 512 MiB of output passed")
        } catch {
            try? await serve.stop(signal: SIGKILL)
            await ServeProcess.reapSandboxes(under: data.path)
            throw error
        }
        try await serve.stop(signal: SIGTERM)
        await ServeProcess.reapSandboxes(under: data.path)
    }

    /// Runs `head -c bytes /dev/zero` without a TTY and counts stdout bytes until the status frame.
    static func readOutput(_ server: String, workspace: String, token: String, bytes: Int) async throws
        -> (bytes: Int, status: String, close: String) {
        let url = server.replacingOccurrences(of: "http://", with: "ws://")
            + "/api/v1/workspaces/\(workspace)/interactive?tty=false&command=head&command=-c&command=\(bytes)&command=/dev/zero"
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.secWebSocketProtocol] = "v5.channel.k8s.io"
        var logger = Logger(label: "bulk-reader")
        logger.logLevel = .warning
        let counted = Mutex((bytes: 0, status: ""))
        let close = try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers), logger: logger
        ) { inbound, _, _ in
            for try await message in inbound.messages(maxSize: 1 << 22) {
                guard case .binary(let buffer) = message, let channel = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { continue }
                let payload = buffer.readableBytes - 1
                counted.withLock { state in
                    if channel == 1 { state.bytes += payload }
                    if channel == 3 { state.status = String(buffer: buffer.getSlice(at: buffer.readerIndex + 1, length: payload) ?? ByteBuffer()) }
                }
            }
        }
        let (total, status) = counted.withLock { ($0.bytes, $0.status) }
        return (total, status, String(describing: close))
    }

    /// VmHWM of `pid` in bytes.
    static func peakRSS(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw TestFailure("no VmHWM in /proc/\(pid)/status")
        }
        return kilobytes * 1024
    }
}
