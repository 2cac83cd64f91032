import ArgumentParser
import Foundation

/// `cubicle-bench all`: every registered scenario at its defaults, one after another (each in a
/// child process of its own, see `ScenarioProcess`), JSON lines as they come and one combined
/// table at the end.
struct AllBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every scenario at its defaults in sequence; print all JSON lines and one table."
    )

    @Flag(help: "Print the registered scenario names, one a line, and exit.")
    var list = false

    @Option(help: "Run only these scenarios (comma-separated names).")
    var only: String?

    @OptionGroup var options: BenchOptions

    func validate() throws {
        for name in selectedNames where Scenarios.named(name) == nil {
            throw ValidationError("unknown scenario \(name); known: \(Scenarios.all.map { $0.name }.joined(separator: ", "))")
        }
    }

    private var selectedNames: [String] {
        guard let only else { return Scenarios.all.map { $0.name } }
        return only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        if list {
            print(Scenarios.all.map { $0.name }.joined(separator: "\n"))
            return
        }
        options.bootstrapLogging()
        let report = MeasureReport()
        let clock = ContinuousClock()
        var timings: [String] = []
        var failures: [String] = []
        for name in selectedNames {
            let started = clock.now
            do {
                // No arguments but the shared ones: the scenario runs at its defaults.
                try await ScenarioProcess.run(name, arguments: options.forwarded, into: report)
            } catch {
                failures.append("\(name): \(error)")
                FileHandle.standardError.write(Data("cubicle-bench all: \(name) failed: \(error)\n".utf8))
            }
            let seconds = (clock.now - started).milliseconds / 1000
            timings.append("\(name) \(String(format: "%.0f", seconds)) s")
        }
        if !options.json {
            let header = try await MachineInfo.current().headerLines(scenarios: selectedNames)
            let footer = ["", "time per scenario: " + timings.joined(separator: ", ")] + failures.map { "FAILED \($0)" }
            report.printTable(header: header, footer: footer)
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}
