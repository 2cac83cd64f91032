import CubicleClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lines for people on stderr, data on stdout.
enum Console {
    enum Stream { case standardOutput, standardError }

    /// Writes `text` and a newline.
    static func line(_ text: String, to stream: Stream = .standardOutput) {
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data((text + "\n").utf8))
    }

    /// Writes `text` as it is.
    static func write(_ text: String, to stream: Stream) {
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    /// A message on stderr.
    static func note(_ text: String) { line(text, to: .standardError) }

    /// The error line: the server's message and code, or the client's.
    static func error(_ error: ClientError) {
        let code = error.code.rawValue
        let prefix = colour("error:", "31")
        line("\(prefix) \(error.message) (\(code)\(error.status.map { ", HTTP \($0)" } ?? ""))", to: .standardError)
    }

    /// Whether `stream` is a terminal.
    static func isTerminal(_ stream: Stream) -> Bool { isatty(stream == .standardOutput ? 1 : 2) == 1 }

    /// `text` in an ANSI colour when stderr is a terminal and NO_COLOR is unset.
    static func colour(_ text: String, _ code: String) -> String {
        guard isTerminal(.standardError), ProcessInfo.processInfo.environment["NO_COLOR"] == nil else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
