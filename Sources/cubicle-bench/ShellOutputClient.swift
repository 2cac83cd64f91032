import ArgumentParser
import Foundation

/// `cubicle-bench shell-output-client` (hidden): the Cubicle side of `shell-throughput`, run as a
/// child process so the parent's peak RSS is the server's alone. Reads one program's output from
/// the WebSocket and prints `{"bytes","seconds","success"}` (first output byte to the status frame).
struct ShellOutputClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell-output-client", abstract: "The WebSocket reader of shell-throughput (run by it).", shouldDisplay: false)

    @Option(help: "The interactive WebSocket URL, with its query.")
    var url: String

    @Option(help: "The bearer token.")
    var token: String

    /// What one read measured.
    struct Outcome: Codable, Sendable {
        /// Stdout bytes received.
        let bytes: Int
        /// Seconds from the first output byte to the status frame.
        let seconds: Double
        /// Whether the status said success.
        let success: Bool
    }

    func run() async throws {
        let outcome = try await ExecSocket.run(url: url, token: token) { socket in
            var first = 0
            var start = 0.0
            while first == 0 {
                guard let frame = try await socket.next() else { throw BenchError("the socket closed before any output") }
                switch frame {
                case .stdout(let payload) where !payload.isEmpty:
                    start = monotonicSeconds()
                    first = payload.count
                case .status(let status): throw BenchError("the program ended without output: \(String(decoding: status, as: UTF8.self))")
                default: continue
                }
            }
            let (rest, success) = try await socket.drainStdout()
            return Outcome(bytes: first + rest, seconds: monotonicSeconds() - start, success: success)
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(outcome) + Data("\n".utf8))
    }
}
