import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation

/// The `cubicle` command line: `serve` runs the server, every other subcommand is a client of
/// its API. Exit codes: 0 success, 1 an error (the server's or the client's), 2 bad usage, the
/// remote status for `shell`/`exec`, 130 after Ctrl-C.
@main
struct Cubicle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubicle",
        abstract: "Kubernetes workspaces with shells, files and apps behind one API.",
        discussion: """
            Exit codes: 0 success; 1 an error reported by the server or the client; 2 bad usage;
            shell and exec exit with the remote command's status; 130 after Ctrl-C.
            """,
        subcommands: [
            ServeSubcommand.self, LoginCommand.self, ContextCommand.self, WorkspaceCommand.self, ShellCommand.self,
            ExecCommand.self, CopyCommand.self, JobsCommand.self, AppsCommand.self, SysinfoCommand.self, SessionsCommand.self,
            TokensCommand.self, CompletionCommand.self, AdminSubcommand.self, LocalClusterSubcommand.self, Version.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let status as ExitStatus {
            Terminal.restoreIfRaw()
            Foundation.exit(status.code)
        } catch let error as ClientError {
            Terminal.restoreIfRaw()
            Console.error(error)
            Foundation.exit(error.code == .invalidRequest && !error.isFromServer ? 2 : 1)
        } catch {
            Terminal.restoreIfRaw()
            if exitCode(for: error) == .validationFailure {
                Console.line(fullMessage(for: error), to: .standardError)
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// `cubicle version`: prints the version.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("cubicle \(CubicleVersion.current)") }
}

/// `cubicle completion bash|zsh|fish`: the shell completion script.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script.",
        discussion: """
            Examples:
              source <(cubicle completion bash)
              cubicle completion zsh > "${fpath[1]}/_cubicle"
              cubicle completion fish > ~/.config/fish/completions/cubicle.fish
            """)

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else { throw ValidationError("the shell must be bash, zsh or fish") }
        print(Cubicle.completionScript(for: kind))
    }
}
