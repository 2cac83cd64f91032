import Foundation

/// Latency percentiles and throughput of one phase.
struct Summary: Codable, Sendable {
    /// What the numbers measure, in words.
    let measures: String
    let count: Int
    let concurrency: Int
    let failures: Int
    let p50Ms: Double
    let p90Ms: Double
    let p99Ms: Double
    let maxMs: Double
    let meanMs: Double
    let wallSeconds: Double
    /// Completed (succeeded) workspaces per second of wall time.
    let workspacesPerSecond: Double
    /// Up to three failure messages, for the reader.
    let sampleFailures: [String]

    /// Summarises samples; percentiles are nearest-rank over successful samples only.
    init(measures: String, samples: [Sample], concurrency: Int, wall: Duration) {
        self.measures = measures
        count = samples.count
        self.concurrency = concurrency
        let failed = samples.compactMap(\.failure)
        failures = failed.count
        sampleFailures = Array(failed.prefix(3))
        let sorted = samples.filter { $0.failure == nil }.map { $0.latency.milliseconds }.sorted()
        func rank(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        p50Ms = rank(0.5)
        p90Ms = rank(0.9)
        p99Ms = rank(0.99)
        maxMs = sorted.last ?? 0
        meanMs = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        wallSeconds = wall.milliseconds / 1000
        workspacesPerSecond = wallSeconds > 0 ? Double(sorted.count) / wallSeconds : 0
    }

    /// One table row.
    func row(_ label: String) -> String {
        [
            label.padding(toLength: 10, withPad: " ", startingAt: 0),
            pad(count), pad(concurrency), pad(failures), pad(p50Ms), pad(p90Ms), pad(p99Ms), pad(maxMs),
            pad(wallSeconds, digits: 2), pad(workspacesPerSecond, digits: 1),
        ].joined(separator: " ")
    }

    /// The table header matching `row`.
    static let header = (["phase".padding(toLength: 10, withPad: " ", startingAt: 0)]
        + ["count", "conc", "fail", "p50 ms", "p90 ms", "p99 ms", "max ms", "wall s", "ws/s"].map { lead($0) })
        .joined(separator: " ")

    private static func lead(_ text: String) -> String { String(repeating: " ", count: max(0, 8 - text.count)) + text }
    private func pad(_ value: Int) -> String { Self.lead(String(value)) }
    private func pad(_ value: Double, digits: Int = 1) -> String { Self.lead(String(format: "%.\(digits)f", value)) }
}

/// The whole run, as `--json` prints it.
struct BenchReport: Codable, Sendable {
    /// `debug` or `release`.
    let build: String
    let blueprint: String
    let follow: String
    let cubicle: Summary
    let reference: Summary?
    /// Cubicle wall time / reference wall time for the same N at the same concurrency.
    let wallRatio: Double?
    /// Cubicle p50 latency / reference p50 latency.
    let p50Ratio: Double?
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
