import CubicleTestSupport
import Foundation
import Testing

/// A client that stops reading a firehose (`yes | head -c 200M`) must hold the program back
/// through the whole chain — socket, outbox, SSH window — instead of the server buffering the
/// output, and must not starve other sessions on the same workspace. The server runs as a real
/// `cubicle serve` child so its resident memory can be read from /proc alone.
@Suite struct ShellSlowReaderTests {
    static let total = 200 << 20
    static let bound = 64 << 20

    @Test func stalledReaderKeepsServerMemoryBoundedAndOtherSessionsAnswer() async throws {
        await ServerHarness.processServerSlots.acquire()
        defer { ServerHarness.processServerSlots.release() }
        let data = try TemporaryDirectory("cubicle-slow")
        defer { data.remove() }
        let block = ServerHarness.nextBlock().lowerBound
        let server = try await ServeProcess.start(
            dataDirectory: data.path, logName: "serve", extraArguments: ["--pod-address-blocks", "\(block)"])
        do {
            try await exercise(server, data: data)
            try await server.stop(signal: SIGTERM)
        } catch {
            try? await server.stop(signal: SIGKILL)
            throw error
        }
    }

    private func exercise(_ server: ServeProcess, data: TemporaryDirectory) async throws {
        let token = try await blocking { try String(contentsOfFile: data.file("admin-token"), encoding: .utf8) }
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let port = HostileHTTP.port(of: server.url)
        let created = try await ServerHarness.exchange("POST", server.url + "/api/v1/workspaces", bearer: token, body: #"{"blueprint":"dev"}"#).json()
        let workspace = try #require(created["workspace"] as? String, "\(created.value)")
        let job = try #require(created["jobId"] as? String)
        var finished = JSONObject([:])
        try await eventually("the workspace is provisioned", within: 120) {
            finished = try await ServerHarness.exchange("GET", server.url + "/api/v1/jobs/\(job)", bearer: token).json()
            return finished["status"] as? String == "completed"
        }
        try #require(finished["result"] as? String == "succeeded", "\(finished.list("events").map { $0["message"] ?? "" })")

        // Warm the paths a transfer uses (SSH session, buffers) before taking the baseline.
        let warm = try await ShellExec.run(port: port, workspace: workspace, token: token, script: "head -c 8388608 /dev/zero | wc -c")
        #expect(warm.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "8388608")
        let baseline = try await ShellExec.residentBytes(of: server.pid)
        // Diagnostic: a fast reader from the start.
        let sampler = Task { () -> Int in
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, (try? await ShellExec.residentBytes(of: server.pid)) ?? 0)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return peak
        }
        let fast = try await RawWebSocket.connect(
            port: port, path: ShellExec.path(workspace, script: "head -c 67108864 /dev/zero"), token: token, userAgent: "fast-reader")
        var fastBytes = 0
        while case .frame(let frame) = try await fast.next(timeout: 60), frame.opcode != 0x8 {
            if frame.opcode == 0x2 && frame.payload.first == 1 { fastBytes += frame.payload.count - 1 }
        }
        await fast.close()
        sampler.cancel()
        print("fast reader: \(fastBytes) bytes, server RSS peak growth \((await sampler.value - baseline) >> 20) MiB")

        let marker = "$HOME/.slow-\(UUID().uuidString.prefix(8)).pid"
        let slow = try await RawWebSocket.connect(
            port: port, path: ShellExec.path(workspace, script: "yes | head -c \(Self.total) & echo $! > \(marker); wait $!"), token: token,
            userAgent: "slow-reader", receiveBuffer: 16 * 1024)
        defer { Task { await slow.close() } }
        try #require(slow.status == 101, "\(slow.head)")
        // Read a little, then stop reading entirely.
        var received = 0
        while received < 64 * 1024 {
            guard case .frame(let frame) = try await slow.next(timeout: 60) else { throw TestFailure("the slow session ended early") }
            if frame.payload.first == 1 { received += frame.payload.count - 1 }
        }

        // While it is stalled, another session answers, and the program stops writing: its
        // write count stops moving (back-pressure reached the remote) — or, if the server
        // swallowed everything, the program ends, and the memory check below catches it.
        var peak = baseline
        var last = ""
        var probes = 0
        try await eventually("the stalled program stops writing", within: 120) {
            let probe = try await ShellExec.run(
                port: port, workspace: workspace, token: token, script: "grep wchar /proc/$(cat \(marker))/io 2>/dev/null || echo gone")
            #expect(probe.status?.contains("Success") == true, "another session must answer while one is stalled: \(probe.status ?? "no status")")
            probes += 1
            peak = max(peak, try await ShellExec.residentBytes(of: server.pid))
            let line = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            defer { last = line }
            return line == "gone" || (line == last && line.hasPrefix("wchar"))
        }
        let written = Int(last.split(separator: " ").last ?? "") ?? Self.total
        #expect(written < Self.total, "the whole output was produced while the client read \(received) bytes: the server buffered it")
        peak = max(peak, try await ShellExec.residentBytes(of: server.pid))
        #expect(peak - baseline < Self.bound, "server RSS grew \((peak - baseline) >> 20) MiB while stalled (bound \(Self.bound >> 20) MiB)")

        // Now read everything fast: all of it arrives, then the status.
        var status: String?
        var frames = 0
        var samples: [Int] = []
        while status == nil {
            switch try await slow.next(timeout: 120) {
            case .frame(let frame) where frame.opcode == 0x2 && frame.payload.first == 1:
                received += frame.payload.count - 1
                frames += 1
                if frames % 512 == 0 {
                    let now = try await ShellExec.residentBytes(of: server.pid)
                    samples.append((now - baseline) >> 20)
                    peak = max(peak, now)
                }
            case .frame(let frame) where frame.opcode == 0x2 && frame.payload.first == 3:
                status = String(decoding: frame.payload.dropFirst(), as: UTF8.self)
            case .frame:
                continue
            case .closed, .timedOut:
                throw TestFailure("the stream ended after \(received) bytes without a status")
            }
        }
        #expect(received == Self.total)
        #expect(status?.contains("Success") == true, "\(status ?? "")")
        #expect(peak - baseline < Self.bound, "server RSS grew \((peak - baseline) >> 20) MiB (bound \(Self.bound >> 20) MiB)")
        let after = try await ShellExec.residentBytes(of: server.pid)
        print("slow reader RSS growth samples (MiB): \(samples), after: \((after - baseline) >> 20)")
        print("slow reader: 200 MiB delivered, \(probes) probes answered while stalled, server RSS growth \((peak - baseline) >> 20) MiB (bound \(Self.bound >> 20) MiB)")
    }
}
