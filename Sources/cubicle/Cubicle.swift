import ArgumentParser
import CubicleModel

/// The `cubicle` command line.
@main
struct Cubicle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubicle",
        abstract: "Kubernetes workspaces with shells, files and apps behind one API.",
        subcommands: [ServeSubcommand.self, AdminSubcommand.self, LocalClusterSubcommand.self, Version.self]
    )
}

/// `cubicle version`: prints the version.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("cubicle \(CubicleVersion.current)") }
}
