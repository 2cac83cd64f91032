import CubicleTestSupport
import Foundation

/// Small helpers over `RawWebSocket` for the fault suites: the `/interactive` query of a
/// command, a one-shot command run, and the server process's resident memory.
enum ShellExec {
    /// `/api/v1/workspaces/<workspace>/interactive?tty=false&command=sh&command=-c&command=<script>`.
    static func path(_ workspace: String, script: String, tty: Bool = false) -> String {
        let encoded = script.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "/api/v1/workspaces/\(workspace)/interactive?tty=\(tty)&command=sh&command=-c&command=\(encoded)"
    }

    /// Runs `script` to its end over a fresh WebSocket; answers stdout and the status document.
    static func run(port: Int, workspace: String, token: String, script: String, timeout: Double = 60) async throws -> (stdout: String, status: String?) {
        let socket = try await RawWebSocket.connect(
            port: port, path: path(workspace, script: script), token: token, userAgent: "fault-exec-\(UUID().uuidString)")
        defer { Task { await socket.close() } }
        guard socket.status == 101 else { throw TestFailure("exec refused: \(socket.head)") }
        let ending = try await socket.ending(timeout: timeout)
        guard ending.close != nil else { throw TestFailure("exec did not end: \(ending.output(1).suffix(200))") }
        return (ending.output(1), ending.frames.last { $0.payload.first == 3 }.map { String(decoding: $0.payload.dropFirst(), as: UTF8.self) })
    }

    /// VmRSS of process `pid` in bytes, from /proc.
    static func residentBytes(of pid: pid_t) async throws -> Int {
        try await blocking {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { throw TestFailure("no VmRSS for \(pid)") }
            return kib * 1024
        }
    }
}
