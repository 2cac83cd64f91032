import Hummingbird
import HummingbirdCore

/// The query of `/interactive`: `tty`, `stdin`/`stdout`/`stderr`, repeated `command`, `cols`,
/// `rows`, `session`. Flags default to true; `command` is an argv as in `kubectl exec`.
struct ShellOptions: Sendable, Equatable {
    /// Allocate a PTY (TERM xterm-256color).
    var tty = true
    /// Forward the client's stdin.
    var stdin = true
    /// Forward stdout.
    var stdout = true
    /// Forward stderr (merged into stdout with a TTY).
    var stderr = true
    /// The program and its arguments; empty runs the user's login shell.
    var command: [String] = []
    /// Initial columns.
    var cols = 80
    /// Initial rows.
    var rows = 24
    /// The session to re-attach to.
    var session: String?

    /// Parses the query; 400 on malformed values.
    init(query: FlatDictionary<Substring, Substring>) throws(APIError) {
        tty = try Self.flag(query, "tty", default: true)
        stdin = try Self.flag(query, "stdin", default: true)
        stdout = try Self.flag(query, "stdout", default: true)
        stderr = try Self.flag(query, "stderr", default: true)
        command = query[values: "command"].map(String.init)
        guard command.count <= 256, command.allSatisfy({ !$0.contains("\0") }), command.reduce(0, { $0 + $1.utf8.count }) <= 64 * 1024 else {
            throw APIError.invalid("command must be at most 256 arguments, 64 KiB in all, without NUL bytes")
        }
        if command.first?.isEmpty == true { throw APIError.invalid("command must not start with an empty argument") }
        cols = try Self.size(query, "cols", default: 80)
        rows = try Self.size(query, "rows", default: 24)
        if let session = query["session"] {
            guard !session.isEmpty, session.utf8.count <= 64, session.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw APIError.invalid("session must be a session id")
            }
            self.session = String(session)
        }
    }

    /// The command line the workspace's shell runs: each argument single-quoted.
    var commandLine: String? {
        guard !command.isEmpty else { return nil }
        return command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    private static func flag(_ query: FlatDictionary<Substring, Substring>, _ name: Substring, default value: Bool) throws(APIError) -> Bool {
        guard let text = query[name] else { return value }
        switch text.lowercased() {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw APIError.invalid("query parameter \(name) must be true or false")
        }
    }

    private static func size(_ query: FlatDictionary<Substring, Substring>, _ name: Substring, default value: Int) throws(APIError) -> Int {
        guard let text = query[name] else { return value }
        guard let number = Int(text), (1...10_000).contains(number) else {
            throw APIError.invalid("query parameter \(name) must be an integer from 1 to 10000")
        }
        return number
    }
}
