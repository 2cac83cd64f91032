import ArgumentParser
import Foundation
import Testing
@testable import cubicle_bench

@Suite struct ScenarioRegistryTests {
    /// `all` runs `Scenarios.all`; a subcommand registered elsewhere would silently be skipped.
    @Test func everySubcommandButAllIsARegisteredScenario() {
        // Hidden subcommands are the child processes scenarios start (load generators), not scenarios.
        let subcommands = CubicleBench.configuration.subcommands.filter { $0.configuration.shouldDisplay }
            .compactMap { $0.configuration.commandName }
        let registered = Scenarios.all.map { $0.name }
        #expect(subcommands.filter { $0 != AllBenchmark.configuration.commandName } == registered)
        #expect(subcommands.contains("all"))
        #expect(Set(registered).count == registered.count)
    }

    @Test func registryHoldsProvisionAndFiles() {
        let registered = Scenarios.all.map { $0.name }
        #expect(registered.contains("provision"))
        #expect(registered.contains("files"))
        #expect(registered.contains("shell-latency"))
        #expect(registered.contains("shell-throughput"))
        #expect(registered.contains("shell-scale"))
        #expect(Scenarios.named("files") == FilesBenchmark.self)
        #expect(Scenarios.named("nope") == nil)
    }

    /// `all` runs each scenario with the shared options and `--json` only, so its defaults must validate.
    @Test func everyScenarioParsesFromTheSharedOptionsAlone() throws {
        let shared = try BenchOptions.parse(["--repository", "/tmp/repo", "--verbose"])
        for type in Scenarios.all {
            let scenario = try type.parse(shared.forwarded + ["--json"])
            #expect(scenario.options.verbose)
            #expect(scenario.options.repository == "/tmp/repo")
            #expect(scenario.options.json)
        }
    }

    @Test func provisionAndFilesDefaultToThreeRuns() throws {
        #expect(try ProvisionBenchmark.parse([]).runs == 3)
        #expect(try FilesBenchmark.parse([]).runs == 3)
        #expect(try FilesBenchmark.parse([]).size == 256)
    }

    @Test func allRejectsAnUnknownScenario() {
        #expect(throws: (any Error).self) { try AllBenchmark.parse(["--only", "provision,bogus"]) }
        #expect(throws: Never.self) { try AllBenchmark.parse(["--only", "files"]) }
    }
}
