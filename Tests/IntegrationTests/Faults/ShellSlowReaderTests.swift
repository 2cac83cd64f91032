import CubicleTestSupport
import Foundation
import Synchronization
import Testing

/// A client that stops reading a firehose (`yes | head -c 200M`) must hold the program back
/// through the whole chain — socket, outbox, SSH window — instead of the server buffering the
/// output, and must not starve other sessions on the same workspace. The server runs as a real
/// `cubicle serve` child so its resident memory can be read from /proc alone.
@Suite struct ShellSlowReaderTests {
    /// What the program would print.
    static let total = 200 << 20
    /// What each reader takes before hanging up (the RSS working set of a transfer is reached
    /// well before; reading all 200 MiB twice would only load the shared test machine).
    static let chunk = 64 << 20
    /// The most the server may grow while the reader is stalled (a server that buffered the
    /// stalled output would grow by up to the whole 200 MiB).
    static let stallBound = 64 << 20
    /// How much more a slow reader may cost than a fast one moving the same bytes.
    static let slowOverFast = 32 << 20
    /// The most a fast reader of `chunk` bytes may raise the peak (bounded buffers need a few MiB
    /// per channel; the margin is allocator noise on a loaded machine).
    static let fastBound = 96 << 20
    /// How far above the warm baseline the server may stay once a transfer's session has ended
    /// (buffers of a finished transfer must be released; the allocator keeps some pages).
    static let returnBound = 48 << 20

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
            await ServeProcess.reapSandboxes(under: data.path)
            throw error
        }
        await ServeProcess.reapSandboxes(under: data.path)
    }

    /// The highest RSS of `pid` seen while `body` runs (sampled every 50 ms besides it).
    private func peakResident<T: Sendable>(of pid: pid_t, _ body: () async throws -> T) async throws -> (T, Int) {
        let peak = Mutex(0)
        let sampler = Task {
            while !Task.isCancelled {
                if let now = try? await ShellExec.residentBytes(of: pid) { peak.withLock { $0 = max($0, now) } }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { sampler.cancel() }
        let result = try await body()
        let now = try await ShellExec.residentBytes(of: pid)
        return (result, peak.withLock { max($0, now) })
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
        // Right after provisioning, a loaded machine may still be starting the workspace's sshd
        // services; the warm-up is not what this test measures, so it gets a few attempts.
        var warm: (stdout: String, status: String?) = ("", nil)
        for _ in 0..<3 {
            warm = try await ShellExec.run(port: port, workspace: workspace, token: token, script: "head -c 8388608 /dev/zero | wc -c")
            if warm.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "8388608" { break }
        }
        #expect(warm.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "8388608", "warm-up status: \(warm.status ?? "none")")
        let baseline = try await ShellExec.residentBytes(of: server.pid)

        // The reference: a reader that keeps up moves the same amount.
        let (fastBytes, fastPeak) = try await peakResident(of: server.pid) {
            let fast = try await RawWebSocket.connect(
                port: port, path: ShellExec.path(workspace, script: "yes | head -c \(Self.total)"), token: token, userAgent: "fast-reader")
            defer { Task { await fast.close() } }
            var bytes = 0
            while bytes < Self.chunk, case .frame(let frame) = try await fast.next(timeout: 60), frame.opcode != 0x8 {
                if frame.opcode == 0x2 && frame.payload.first == 1 { bytes += frame.payload.count - 1 }
            }
            return bytes
        }
        #expect(fastBytes >= Self.chunk)
        // Hanging up ends the command, and its transfer's memory is returned.
        try? await eventually("the fast reader's memory is returned", within: 60) {
            try await ShellExec.residentBytes(of: server.pid) - baseline < Self.returnBound
        }
        let residual = try await ShellExec.residentBytes(of: server.pid) - baseline
        #expect(residual < Self.returnBound, "the fast reader's memory was not returned: \(residual >> 20) MiB above the baseline")

        let marker = "$HOME/.slow-\(UUID().uuidString.prefix(8)).pid"
        let slow = try await RawWebSocket.connect(
            port: port, path: ShellExec.path(workspace, script: "yes | head -c \(Self.total) & echo $! > \(marker); wait $!"), token: token,
            userAgent: "slow-reader", receiveBuffer: 16 * 1024)
        defer { Task { await slow.close() } }
        try #require(slow.status == 101, "\(slow.head)")
        var received = 0

        // Stalled: read a little, then nothing. Meanwhile other sessions answer, and the program
        // stops writing — its write count stops moving (back-pressure reached the remote); if
        // the server swallowed the output instead, the program ends and the checks below fail.
        var last = ""
        var probes = 0
        let (_, stallPeak) = try await peakResident(of: server.pid) {
            while received < 64 * 1024 {
                guard case .frame(let frame) = try await slow.next(timeout: 60) else { throw TestFailure("the slow session ended early") }
                if frame.payload.first == 1 { received += frame.payload.count - 1 }
            }
            try await eventually("the stalled program stops writing", within: 120) {
                let probe = try await ShellExec.run(
                    port: port, workspace: workspace, token: token, script: "grep wchar /proc/$(cat \(marker))/io 2>/dev/null || echo gone")
                #expect(probe.status?.contains("Success") == true, "another session must answer while one is stalled: \(probe.status ?? "no status")")
                probes += 1
                let line = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                defer { last = line }
                return line == "gone" || (line == last && line.hasPrefix("wchar"))
            }
        }
        let written = Int(last.split(separator: " ").last ?? "") ?? Self.total
        let readWhenStalled = received
        #expect(written < Self.total, "the whole output was produced while the client read \(received) bytes: the server buffered it")
        #expect(stallPeak - baseline < Self.stallBound, "server RSS grew \((stallPeak - baseline) >> 20) MiB while stalled")

        // Now read fast: the output flows again, in order and whole (`yes` prints "y\n").
        let (_, drainPeak) = try await peakResident(of: server.pid) {
            var carry: UInt8 = 0
            while received < Self.chunk {
                guard case .frame(let frame) = try await slow.next(timeout: 120) else {
                    throw TestFailure("the stream ended after \(received) bytes")
                }
                guard frame.opcode == 0x2, frame.payload.first == 1 else { continue }
                let payload = frame.payload.dropFirst()
                #expect(payload.first.map { $0 != carry } ?? true, "the stream lost or repeated a byte at \(received)")
                carry = payload.last ?? carry
                received += payload.count
            }
        }
        #expect(received >= Self.chunk)
        // Hanging up ends the command (no TTY: nothing to re-attach to).
        await slow.close()
        try await eventually("the program ends with its client", within: 60) {
            let probe = try await ShellExec.run(
                port: port, workspace: workspace, token: token, script: "test -e /proc/$(cat \(marker)) && echo running || echo gone")
            return probe.stdout.contains("gone")
        }
        let slowPeak = max(stallPeak, drainPeak)
        // A fast reader must not cost memory in proportion to what it reads either: before libssh's
        // kept-back output was drained whole (which keeps the SSH window shut), 64 MiB read fast
        // raised the peak by ~180 MiB.
        #expect(fastPeak - baseline < Self.fastBound, "a fast reader of \(Self.chunk >> 20) MiB raised the peak by \((fastPeak - baseline) >> 20) MiB")
        #expect(slowPeak - baseline < fastPeak - baseline + Self.slowOverFast,
                "a slow reader cost \((slowPeak - baseline) >> 20) MiB, a fast one \((fastPeak - baseline) >> 20) MiB")
        print("""
            slow reader: \(received >> 20) MiB of 200 MiB read; stalled after reading \(readWhenStalled >> 10) KiB, the program stopped after \(written >> 20) MiB; \
            \(probes) other sessions answered meanwhile; server RSS growth: stalled \((stallPeak - baseline) >> 20) MiB, \
            slow overall \((slowPeak - baseline) >> 20) MiB, fast reader \((fastPeak - baseline) >> 20) MiB
            """)
    }
}
