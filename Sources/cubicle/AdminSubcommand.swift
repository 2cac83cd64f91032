import App
import CubicleModel
import ArgumentParser
import Foundation
import Logging

/// `cubicle admin …`: operator commands run on the server's own machine or pod.
struct AdminSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator commands that work on the server's data directory directly.",
        subcommands: [AdminTokenSubcommand.self]
    )
}

/// `cubicle admin token`: the break-glass way back in when every admin credential is gone.
struct AdminTokenSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Unlock the admin, give it the admin role back and issue a fresh token (break glass).",
        discussion: """
            Works on the store in the server's data directory and may run while the server runs
            (SQLite's WAL locking keeps both safe; the server reads users and tokens on every request).
            Refuses a directory without a store, a store written by a newer Cubicle, and a store whose
            write lock another process holds. Prints the token on stdout, writes it to
            DATA_DIR/admin-token (mode 0600) and appends what it did to DATA_DIR/audit.log.

            Examples:
              cubicle admin token --data-dir .cubicle
              kubectl exec deploy/cubicle -- cubicle admin token --data-dir /var/lib/cubicle
            """
    )

    @Option(name: .customLong("data-dir"), help: "The server's data directory (env CUBICLE_DATA_DIR).")
    var dataDir = ProcessInfo.processInfo.environment["CUBICLE_DATA_DIR"] ?? ".cubicle"

    @Option(help: "The admin user to recover (created when it no longer exists).")
    var username = "admin"

    @Option(help: "The new token's name.")
    var name = "break-glass"

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "cubicle.admin")
        do {
            let outcome = try await AdminRecovery.issueToken(dataDirectory: dataDir, username: username, tokenName: name, logger: logger)
            print(outcome.token)
        } catch let error as any CodedError {
            Console.note("cubicle admin token: \(error.message)")
            throw ExitCode.failure
        }
    }
}
