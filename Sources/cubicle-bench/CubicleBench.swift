import ArgumentParser

/// `cubicle-bench`: end-to-end benchmarks of a whole in-process Cubicle server.
@main
struct CubicleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubicle-bench",
        abstract: "Benchmarks Cubicle end to end against its embedded cluster, side by side with a reference.",
        subcommands: Scenarios.all + [AllBenchmark.self, ShellScaleClient.self, ShellOutputClient.self]
    )
}
