import ArgumentParser
import CubicleModel

/// The `cubicle` command line.
struct Cubicle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubicle",
        abstract: "Kubernetes workspaces with shells, files and apps behind one API.",
        subcommands: [Version.self, LocalClusterSubcommand.self]
    )
}

/// `cubicle version`: prints the version.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("cubicle \(CubicleVersion.current)") }
}

/// Runs an async root command. Top-level code resolves `main()` to ArgumentParser's synchronous
/// overload, which refuses async commands; inside an async function the async overload wins.
func runAsync<Command: AsyncParsableCommand>(_ command: Command.Type) async { await command.main() }

await runAsync(Cubicle.self)
