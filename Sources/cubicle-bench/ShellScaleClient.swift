import ArgumentParser
import Foundation
import Synchronization

/// `cubicle-bench shell-scale-client` (hidden): the Cubicle side's load generator, run as a
/// child process by `shell-scale` so the server process measured holds only the server. Opens
/// the sessions, prints `STEADY` when the steady phase starts and one JSON `ScaleResult` at the end.
struct ShellScaleClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell-scale-client", abstract: "The WebSocket load generator of shell-scale (run by it).", shouldDisplay: false)

    @Option(help: "The interactive WebSocket URL, with its query.")
    var url: String

    @Option(help: "The bearer token.")
    var token: String

    @Option(help: "The load, as ScaleLoad JSON.")
    var load: String

    func run() async throws {
        guard let load = try? JSONDecoder().decode(ScaleLoad.self, from: Data(self.load.utf8)) else {
            throw ValidationError("--load is not ScaleLoad JSON")
        }
        let tally = ScaleTally()
        let clock = SessionClock()
        let url = self.url
        let token = self.token
        let sessions = (0..<load.sessions).map { index in
            Task { await Self.session(index, url: url, token: token, load: load, clock: clock, tally: tally) }
        }
        // The steady phase starts once every session opened or failed, or at the open timeout;
        // sessions still not open then are given up.
        let rampStart = monotonicSeconds()
        while clock.settled < load.sessions, monotonicSeconds() - rampStart < load.openTimeout {
            try await Task.sleep(for: .milliseconds(50))
        }
        let start = monotonicSeconds() + 0.2
        let cpu = ProcessStats.cpuSeconds()
        clock.start(at: start, end: start + load.seconds)
        FileHandle.standardOutput.write(Data("STEADY\n".utf8))
        for (index, task) in sessions.enumerated() where !clock.isOpen(index) { task.cancel() }
        for task in sessions { await task.value }
        let result = tally.result(steadySeconds: load.seconds, driverCPU: ProcessStats.cpuSeconds() - cpu)
        let encoded = try JSONEncoder().encode(result)
        FileHandle.standardOutput.write(encoded + Data("\n".utf8))
    }

    /// One session: open, wait for the phase, write and read echoes until it ends, interrupt `cat`.
    static func session(_ index: Int, url: String, token: String, load: ScaleLoad, clock: SessionClock, tally: ScaleTally) async {
        let ledger = SharedLedger()
        var failure: String?
        do {
            try await ExecSocket.run(url: url, token: token) { socket in
                try await socket.waitFor(ShellPrograms.ready)
                clock.markOpen(index)
                tally.opened()
                let (start, end) = try await clock.phase()
                let sender = socket.sender
                async let writing: Void = write(sender, load: load, offset: Double(index % 97) / 97, start: start, end: end, ledger: ledger)
                var ended = false
                while let frame = try await socket.next() {
                    switch frame {
                    case .stdout(let bytes): ledger.state.withLock { $0.read(bytes.count, at: monotonicSeconds()) }
                    case .status: ended = true
                    default: continue
                    }
                    if ended { break }
                }
                try await writing
                if monotonicSeconds() < end { throw BenchError("the session closed \(String(format: "%.1f", end - monotonicSeconds())) s early") }
                if !ended { throw BenchError("the socket closed without a status") }
            }
        } catch is CancellationError {
            failure = "not open within the open timeout"
        } catch {
            failure = clock.isOpen(index) ? "\(error)" : "did not open: \(error)"
        }
        if !clock.isOpen(index) {
            clock.markFailed()
            if failure == nil { failure = "did not open" }
        }
        let final = ledger.state.withLock { $0 }
        tally.ended(failure: failure.map { String($0.prefix(200)) }, sent: final.sent, received: final.received, latencies: final.latencies)
    }

    /// Writes a chunk every interval (staggered by `offset` intervals) until `end`, waits for
    /// the echoes to catch up (at most 5 s), then interrupts `cat`.
    private static func write(
        _ sender: ExecSocket.Sender, load: ScaleLoad, offset: Double, start: Double, end: Double, ledger: SharedLedger
    ) async throws {
        let payload = load.payload
        var next = start + offset * load.interval
        while next < end {
            let wait = next - monotonicSeconds()
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            ledger.state.withLock { $0.wrote(payload.count, at: monotonicSeconds()) }
            try await sender.stdin(payload)
            next += load.interval
        }
        let wait = max(0, end - monotonicSeconds())
        try await Task.sleep(for: .seconds(wait))
        let drainDeadline = monotonicSeconds() + 5
        while !ledger.state.withLock({ $0.caughtUp }), monotonicSeconds() < drainDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await sender.stdin([ShellPrograms.interrupt])
    }
}

/// Which sessions opened and when the common steady phase runs.
final class SessionClock: Sendable {
    private struct State {
        var open: Set<Int> = []
        var failed = 0
        var phase: (start: Double, end: Double)?
    }

    private let state = Mutex(State())

    /// Sessions that opened or failed to so far.
    var settled: Int { state.withLock { $0.open.count + $0.failed } }

    /// Records that a session ended without opening.
    func markFailed() { state.withLock { $0.failed += 1 } }

    /// Records that session `index` printed its ready marker.
    func markOpen(_ index: Int) { _ = state.withLock { $0.open.insert(index) } }

    /// Whether session `index` opened.
    func isOpen(_ index: Int) -> Bool { state.withLock { $0.open.contains(index) } }

    /// Fixes the steady phase.
    func start(at start: Double, end: Double) { state.withLock { $0.phase = (start, end) } }

    /// Waits until the phase is fixed and returns it.
    func phase() async throws -> (start: Double, end: Double) {
        while true {
            if let phase = state.withLock({ $0.phase }) { return phase }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// One session's ledger, shared by its reading and writing tasks.
final class SharedLedger: Sendable {
    /// The ledger.
    let state = Mutex(EchoLedger())
}
