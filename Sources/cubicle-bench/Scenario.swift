import ArgumentParser

/// A benchmark scenario: a subcommand that measures one thing and reports it as `Measure`s.
///
/// Adding a scenario is one line: conform the subcommand to `Scenario` (implement
/// `measure(into:)`, take `@OptionGroup var options: BenchOptions`, give every option a default
/// that finishes in under 3 minutes on a 2-core machine) and append its type to `Scenarios.all`.
/// The subcommand list of `cubicle-bench` and the run order of `cubicle-bench all` both come from
/// that array, and `BenchTests` fails when a subcommand is missing from it.
protocol Scenario: AsyncParsableCommand {
    /// The scenario's name in JSON lines and tables (its subcommand name).
    static var name: String { get }
    /// The options every scenario shares (repository, logging, `--json`).
    var options: BenchOptions { get }
    /// Runs the scenario and adds its measures to `report` as they are known.
    func measure(into report: MeasureReport) async throws
}

extension Scenario {
    /// The subcommand name.
    static var name: String { configuration.commandName ?? "\(Self.self)" }

    /// Running the subcommand alone: JSON lines as they come, then the table (unless `--json`).
    func run() async throws {
        options.bootstrapLogging()
        let report = MeasureReport()
        try await measure(into: report)
        if !options.json {
            report.printTable(header: try await MachineInfo.current().headerLines(scenarios: [Self.name]))
        }
    }
}

/// Every scenario, in the order `cubicle-bench all` runs them.
enum Scenarios {
    /// The registry: one line per scenario.
    static let all: [any Scenario.Type] = [
        ProvisionBenchmark.self,
        FilesBenchmark.self,
        ShellLatencyBenchmark.self,
        ShellThroughputBenchmark.self,
        ShellScaleBenchmark.self,
    ]

    /// The scenario called `name`, if registered.
    static func named(_ name: String) -> (any Scenario.Type)? { all.first { $0.name == name } }
}
