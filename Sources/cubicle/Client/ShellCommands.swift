import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation
import Synchronization

/// `cubicle shell WORKSPACE [-- command…]`: an interactive terminal in the workspace.
struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open a terminal in a workspace (raw mode, resize, Ctrl-C goes through); exits with the remote status.",
        discussion: """
            The local terminal is in raw mode while connected and restored on every exit. When the
            connection drops, the client re-attaches to the same session (the server keeps it for
            its detach TTL, 5 minutes by default); --session re-attaches to one explicitly.

            Examples:
              cubicle shell alice-59936c3
              cubicle shell alice-59936c3 -- make test
              cubicle shell alice-59936c3 --session 3f2a…
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "The workspace's name.")
    var workspace: String
    @Argument(parsing: .postTerminator, help: "A command to run instead of the login shell.")
    var command: [String] = []
    @Flag(name: .customLong("no-tty"), help: "No terminal: stdout and stderr stay apart (like exec).")
    var noTTY = false
    @Option(help: "Re-attach to this detached session.")
    var session: String?
    @Option(name: .customLong("reattach-for"), help: "Seconds to keep trying to re-attach after the connection drops.")
    var reattachFor: Double = 300

    func run() async throws {
        let tty = !noTTY && Terminal.isInteractive
        var remote = RemoteCommandOptions()
        remote.command = command
        remote.tty = tty
        remote.session = session
        if tty, let size = Terminal.size() {
            remote.columns = size.columns
            remote.rows = size.rows
        }
        let status: JSONValue = try await options.withAPI { api in
            if tty { Terminal.enterRaw() }
            defer { Terminal.restoreIfRaw() }
            let sessionID = Mutex<String?>(session)
            var deadline: Date?
            while true {
                var attempt = remote
                attempt.session = sessionID.withLock { $0 }
                do {
                    let result = try await RemoteSession(api: api, workspace: workspace, options: attempt, followResize: tty)
                        .run { id in if let id { sessionID.withLock { $0 = id } } }
                    if let result { return result }
                } catch let error as ClientError where error.isFromServer || deadline == nil && error.code != .unreachable {
                    throw error
                } catch let error as ClientError where error.code == .unreachable {
                    // The server went away for a moment: keep trying until the deadline.
                }
                // Dropped without a status: a TTY session lives on for its detach TTL.
                guard tty, sessionID.withLock({ $0 }) != nil else {
                    throw ClientError.unreachable("the connection to \(workspace) dropped before the command ended")
                }
                let now = Date()
                if deadline == nil { deadline = now.addingTimeInterval(reattachFor) }
                guard let limit = deadline, now < limit else {
                    throw ClientError.unreachable("could not re-attach to session \(sessionID.withLock { $0 } ?? "-") within \(Int(reattachFor)) s")
                }
                Console.write("\r\n[cubicle: connection lost; re-attaching to session \(sessionID.withLock { $0 } ?? "-")…]\r\n", to: .standardError)
                try await Task.sleep(for: .seconds(1))
            }
        }
        throw ExitStatus(RemoteCommand.exitCode(of: status))
    }
}

/// `cubicle exec WORKSPACE -- command…`: a command without a terminal; binary-safe pipes.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a workspace without a terminal; stdin, stdout and stderr stay apart; exits with its status.",
        discussion: """
            Stdin is streamed to the command and closed at its end (so `cat` ends); stdout and
            stderr arrive byte for byte on ours.

            Examples:
              cubicle exec alice-59936c3 -- tar cz src > src.tgz
              cubicle exec alice-59936c3 -- sh -c 'exit 7'; echo $?      # 7
              cubicle exec --no-stdin alice-59936c3 -- ls
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "The workspace's name.")
    var workspace: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments.")
    var command: [String] = []
    @Flag(name: .customLong("no-stdin"), help: "Do not forward stdin.")
    var noStdin = false

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. `cubicle exec \(workspace) -- ls`") }
    }

    func run() async throws {
        var remote = RemoteCommandOptions()
        remote.command = command
        remote.tty = false
        remote.stdin = !noStdin
        let status = try await options.withAPI { api in
            try await RemoteSession(api: api, workspace: workspace, options: remote, followResize: false).run()
        }
        guard let status else { throw ClientError.unreachable("the connection to \(workspace) dropped before the command ended") }
        throw ExitStatus(RemoteCommand.exitCode(of: status))
    }
}
