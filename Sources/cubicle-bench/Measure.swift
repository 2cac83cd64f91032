import Foundation
import Synchronization

/// One reported figure of a scenario: Cubicle's value beside the reference's for the same work.
/// Printed as one JSON line (`{"scenario","metric","cubicle","reference","ratio","unit","n"}`).
struct Measure: Codable, Sendable, Equatable {
    /// The scenario name, e.g. `shell-latency`.
    let scenario: String
    /// What is measured, e.g. `echo-p50`.
    let metric: String
    /// Cubicle's value (the median over runs when runs are interleaved).
    let cubicle: Double
    /// The reference's value for the same work; nil when the metric has no reference.
    let reference: Double?
    /// `cubicle / reference`; nil without a reference or when the reference is zero.
    let ratio: Double?
    /// The unit of `cubicle` and `reference`, e.g. `ms`, `MB/s`, `MiB`.
    let unit: String
    /// How many samples (or runs) the value summarises.
    let n: Int

    /// A measure whose ratio is derived from the two values.
    init(scenario: String, metric: String, cubicle: Double, reference: Double?, unit: String, n: Int) {
        self.scenario = scenario
        self.metric = metric
        self.cubicle = cubicle
        self.reference = reference
        if let reference, reference != 0 { ratio = cubicle / reference } else { ratio = nil }
        self.unit = unit
        self.n = n
    }

    /// Encodes every key, `reference` and `ratio` as `null` when absent, so each line has the same shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(metric, forKey: .metric)
        try container.encode(cubicle, forKey: .cubicle)
        try container.encode(reference, forKey: .reference)
        try container.encode(ratio, forKey: .ratio)
        try container.encode(unit, forKey: .unit)
        try container.encode(n, forKey: .n)
    }

    /// The JSON line for this measure (keys sorted, so lines diff cleanly).
    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The header of the human table `tableRow` fills.
    static let tableHeader = [
        "scenario".padding(toLength: 18, withPad: " ", startingAt: 0),
        "metric".padding(toLength: 24, withPad: " ", startingAt: 0),
        lead("cubicle", 12), lead("reference", 12), lead("ratio", 8), " unit".padding(toLength: 8, withPad: " ", startingAt: 0), lead("n", 6),
    ].joined(separator: " ")

    /// One row of the human table.
    var tableRow: String {
        [
            scenario.padding(toLength: 18, withPad: " ", startingAt: 0),
            metric.padding(toLength: 24, withPad: " ", startingAt: 0),
            Self.lead(Self.format(cubicle), 12),
            Self.lead(reference.map(Self.format) ?? "-", 12),
            Self.lead(ratio.map { String(format: "%.2fx", $0) } ?? "-", 8),
            " " + unit.padding(toLength: 7, withPad: " ", startingAt: 0),
            Self.lead(String(n), 6),
        ].joined(separator: " ")
    }

    private static func format(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }

    private static func lead(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Prints measures as a scenario produces them: JSON lines on standard output as they come,
/// and the human table at the end (`finish`).
final class MeasureReport: Sendable {
    private let collected = Mutex<[Measure]>([])

    /// Records a measure and prints its JSON line at once.
    func add(_ measure: Measure) {
        collected.withLock { $0.append(measure) }
        FileHandle.standardOutput.write(Data((measure.jsonLine + "\n").utf8))
    }

    /// Every measure recorded so far.
    var measures: [Measure] { collected.withLock { $0 } }

    /// Prints the human table of everything recorded.
    func printTable() {
        let lines = ["", Measure.tableHeader] + measures.map(\.tableRow)
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Prints the human table under `header` lines (date, build, machine) and above `footer` lines.
    func printTable(header: [String], footer: [String] = []) {
        let lines = [""] + header + [Measure.tableHeader] + measures.map(\.tableRow) + footer
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// The median of values (the mean of the middle two for an even count); 0 for none.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Nearest-rank percentile (`fraction` in 0…1) of values; 0 for none.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(index, 0), sorted.count - 1)]
}

/// Runs Cubicle's and the reference's variant of the same work alternately (A B A B …) `runs`
/// times, so drift in the machine's load hits both alike; returns each side's results in order.
func interleaved<Result: Sendable>(
    runs: Int,
    cubicle: () async throws -> Result,
    reference: () async throws -> Result
) async throws -> (cubicle: [Result], reference: [Result]) {
    var mine: [Result] = []
    var theirs: [Result] = []
    for _ in 0..<max(1, runs) {
        mine.append(try await cubicle())
        theirs.append(try await reference())
    }
    return (mine, theirs)
}
