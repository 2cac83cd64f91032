import CubicleModel
import Foundation

/// The body of `POST /workspaces/:name/exec`, checked: what runs, where, with what, for how long.
struct ExecRequest: Sendable {
    /// The argv (`bash: true` makes it `bash -c <command>`).
    var argv: [String]
    /// The working directory, relative to the home directory or absolute (empty: home).
    var cwd: String
    /// Exported before the command runs.
    var environment: [(String, String)]
    /// Fed to the command's stdin, then EOF.
    var stdin: [UInt8]
    /// Seconds before the process group is killed.
    var timeout: Double
    /// Bytes of each stream kept; the rest is read and dropped.
    var maxOutput: Int
    /// Whether stdout/stderr (and stdin) are base64 rather than UTF-8 text.
    var base64: Bool

    /// The wire form.
    struct Body: Decodable {
        var command: String
        var args: [String]?
        var bash: Bool?
        var cwd: String?
        var path: String?
        var env: [String: String]?
        var stdin: String?
        var timeout: Double?
        var maxOutput: Int?
        var encoding: String?
        var async: Bool?
    }

    /// Checks `body` against `settings`; 400 with the reason otherwise.
    init(_ body: Body, settings: ExecSettings) throws {
        if body.async == true {
            throw APIError(.notImplemented, ErrorCode(rawValue: "not_implemented"),
                           "async exec is not available yet; run the command synchronously (async: false)")
        }
        guard !body.command.isEmpty, !body.command.contains("\0") else { throw APIError.invalid("command must be a non-empty string without NUL bytes") }
        let args = body.args ?? []
        guard args.count <= 256, args.allSatisfy({ !$0.contains("\0") }),
              args.reduce(body.command.utf8.count, { $0 + $1.utf8.count }) <= 64 * 1024 else {
            throw APIError.invalid("args must be at most 256 strings, 64 KiB with the command, without NUL bytes")
        }
        if body.bash == true {
            guard args.isEmpty else { throw APIError.invalid("with bash: true the command is one script; put arguments into it") }
            argv = ["/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -c \"$1\"; else exec sh -c \"$1\"; fi", "sh", body.command]
        } else {
            argv = [body.command] + args
        }
        let directory = body.cwd ?? body.path ?? ""
        guard !directory.contains("\0"), directory.utf8.count <= 4096 else { throw APIError.invalid("cwd must be a path without NUL bytes") }
        cwd = directory.hasPrefix("~/") ? String(directory.dropFirst(2)) : (directory == "~" ? "" : directory)
        let env = (body.env ?? [:]).sorted { $0.key < $1.key }
        guard env.count <= 64, env.allSatisfy({ Self.isVariableName($0.key) && !$0.value.contains("\0") }),
              env.reduce(0, { $0 + $1.key.utf8.count + $1.value.utf8.count }) <= 64 * 1024 else {
            throw APIError.invalid("env must be at most 64 variables (names of letters, digits and _, not starting with a digit) without NUL bytes")
        }
        environment = env.map { ($0.key, $0.value) }
        switch body.encoding ?? "utf8" {
        case "utf8", "utf-8": base64 = false
        case "base64": base64 = true
        default: throw APIError.invalid("encoding must be utf8 or base64")
        }
        if let text = body.stdin {
            if base64 {
                guard let data = Data(base64Encoded: text) else { throw APIError.invalid("stdin is not base64") }
                stdin = Array(data)
            } else {
                stdin = Array(text.utf8)
            }
        } else {
            stdin = []
        }
        let timeout = body.timeout ?? settings.defaultTimeout
        guard timeout.isFinite, timeout > 0, timeout <= settings.maximumTimeout else {
            throw APIError.invalid("timeout must be more than 0 and at most \(Int(settings.maximumTimeout)) seconds")
        }
        self.timeout = timeout
        let maxOutput = body.maxOutput ?? settings.defaultMaxOutput
        guard (0...settings.maximumMaxOutput).contains(maxOutput) else {
            throw APIError.invalid("maxOutput must be from 0 to \(settings.maximumMaxOutput) bytes")
        }
        self.maxOutput = maxOutput
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first), name.utf8.count <= 256 else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// The remote command line: the wrapper as an inline script, every word single-quoted.
    func commandLine(wrapper: String, id: String) -> String {
        let words = ["sh", "-c", wrapper, "cubicle-exec", id, cwd] + environment.map { "\($0)=\($1)" } + ["--"] + argv
        return words.map(Self.quote).joined(separator: " ")
    }

    /// The longest command line sent: sshd hands it to the login shell as one `-c` argument, and
    /// Linux refuses a single argument over 128 KiB (E2BIG) — refused here as bad input instead.
    static let maximumCommandLine = 120 * 1024

    /// Throws 400 when the command line would be too long for the workspace's kernel.
    func checkLength(wrapper: String) throws {
        let length = commandLine(wrapper: wrapper, id: "00000000-0000-0000-0000-000000000000").utf8.count
        guard length <= Self.maximumCommandLine else {
            throw APIError.invalid("command, args and env come to \(length) bytes once quoted; at most \(Self.maximumCommandLine) fit (send big input as stdin)")
        }
    }

    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
