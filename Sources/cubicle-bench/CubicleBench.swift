import ArgumentParser

/// `cubicle-bench`: end-to-end benchmarks of a whole in-process Cubicle server.
@main
struct CubicleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubicle-bench",
        abstract: "Benchmarks Cubicle end to end against its embedded cluster (instant kubelet).",
        subcommands: [ProvisionBenchmark.self, FilesBenchmark.self, ShellLatencyBenchmark.self, ShellThroughputBenchmark.self, ShellScaleBenchmark.self, ShellScaleClient.self, ShellOutputClient.self]
    )
}
