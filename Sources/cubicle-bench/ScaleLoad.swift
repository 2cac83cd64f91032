import Foundation
import Synchronization

/// The load `shell-scale` puts on each session, and the same for both sides.
struct ScaleLoad: Codable, Sendable {
    /// Sessions to open.
    let sessions: Int
    /// Seconds of steady load once the sessions are open.
    let seconds: Double
    /// Input bytes per second per session.
    let rate: Int
    /// Bytes per write; `rate / chunk` writes per second per session.
    let chunk: Int
    /// Seconds sessions get to open (print their ready marker) before the steady phase starts without them.
    let openTimeout: Double

    /// Seconds between a session's writes.
    var interval: Double { Double(chunk) / Double(max(1, rate)) }

    /// The bytes of every write (letters: a raw terminal passes them unchanged).
    var payload: [UInt8] { (0..<chunk).map { ShellPrograms.keystroke($0) } }
}

/// What one side of `shell-scale` measured.
struct ScaleResult: Codable, Sendable {
    /// Sessions that printed their ready marker in time.
    var opened = 0
    /// Sessions that ran the whole steady phase and ended cleanly.
    var completed = 0
    /// Sessions that failed to open, failed or closed before the phase ended.
    var drops = 0
    /// A few distinct reasons sessions dropped, for the report.
    var reasons: [String] = []
    /// Echo latency percentiles over every write of the phase (ms).
    var echoP50 = 0.0
    /// See `echoP50`.
    var echoP99 = 0.0
    /// Writes whose echo was timed.
    var samples = 0
    /// Input bytes written and echoed bytes read, over all sessions.
    var bytesSent = 0
    /// See `bytesSent`.
    var bytesReceived = 0
    /// Seconds the steady phase lasted.
    var steadySeconds = 0.0
    /// CPU seconds of the load generator itself over the steady phase.
    var driverCPU = 0.0
}

/// Collects per-session outcomes from many sessions at once.
final class ScaleTally: Sendable {
    private struct State {
        var result = ScaleResult()
        var latencies: [Double] = []
    }

    private let state = Mutex(State())

    /// A session printed its ready marker.
    func opened() { state.withLock { $0.result.opened += 1 } }

    /// A session ended; `failure` says why it dropped, nil when it completed.
    func ended(failure: String?, sent: Int, received: Int, latencies: [Double]) {
        state.withLock { state in
            state.result.bytesSent += sent
            state.result.bytesReceived += received
            state.latencies += latencies
            if let failure {
                state.result.drops += 1
                if state.result.reasons.count < 5, !state.result.reasons.contains(failure) { state.result.reasons.append(failure) }
            } else {
                state.result.completed += 1
            }
        }
    }

    /// The totals, with percentiles computed.
    func result(steadySeconds: Double, driverCPU: Double) -> ScaleResult {
        state.withLock { state in
            var result = state.result
            result.echoP50 = percentile(state.latencies, 0.5)
            result.echoP99 = percentile(state.latencies, 0.99)
            result.samples = state.latencies.count
            result.steadySeconds = steadySeconds
            result.driverCPU = driverCPU
            return result
        }
    }
}

/// Echo bookkeeping of one session: when each write was sent and how far its echo has come.
struct EchoLedger: Sendable {
    private var ends: [Int] = []
    private var times: [Double] = []
    private var head = 0
    /// Bytes written so far.
    private(set) var sent = 0
    /// Echoed bytes read so far.
    private(set) var received = 0
    /// Round trips of completed writes, ms.
    private(set) var latencies: [Double] = []

    /// Records a write of `count` bytes sent at `time`.
    mutating func wrote(_ count: Int, at time: Double) {
        sent += count
        ends.append(sent)
        times.append(time)
    }

    /// Records `count` echoed bytes read at `time`; every write now fully echoed gets its latency.
    mutating func read(_ count: Int, at time: Double) {
        received += count
        while head < ends.count, ends[head] <= received {
            latencies.append((time - times[head]) * 1000)
            head += 1
        }
        if head > 4096 {
            ends.removeFirst(head)
            times.removeFirst(head)
            head = 0
        }
    }

    /// Whether every byte written has come back.
    var caughtUp: Bool { received >= sent }
}
