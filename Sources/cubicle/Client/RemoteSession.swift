import CubicleClient
import CubicleModel
import Foundation
import NIOCore

/// Runs one remote command against the local terminal or pipes: stdin forwarded (with the v5
/// half-close at its end), stdout and stderr to ours byte for byte, resizes followed, pings
/// every 20 s. The result is the remote status, or nil when the connection dropped first.
struct RemoteSession {
    let api: CubicleAPI
    let workspace: String
    var options: RemoteCommandOptions
    /// Whether resizes of the local terminal are sent.
    var followResize: Bool
    /// Where stdin comes from and stdout goes (a local program's pipes for `cp -r`).
    var input: Int32 = 0
    var output: LocalFile? = nil

    /// Runs once; `onSession` receives the session id as soon as it is known.
    func run(onSession: @escaping @Sendable (String?) -> Void = { _ in }) async throws -> JSONValue? {
        let stdout: LocalFile
        if let output { stdout = output } else { stdout = try await LocalFile.openForWriting("-", append: true) }
        let input = input
        let stderr = LocalFile.standardError
        let forwardStdin = options.stdin
        let followResize = followResize
        return try await api.withRemoteCommand(workspace: workspace, options: options) { command, output in
            onSession(command.sessionID)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                if forwardStdin {
                    group.addTask {
                        for await chunk in StandardInput(descriptor: input) { try await command.send(stdin: chunk) }
                        try await command.closeStdin()
                    }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(20))
                        try await command.ping()
                    }
                }
                if followResize {
                    let (sizes, continuation) = AsyncStream<(Int, Int)>.makeStream(bufferingPolicy: .bufferingNewest(1))
                    let source = Terminal.watchResize {
                        if let size = Terminal.size() { continuation.yield((size.columns, size.rows)) }
                    }
                    group.addTask {
                        defer { source.cancel() }
                        for await (columns, rows) in sizes { try await command.resize(columns: columns, rows: rows) }
                    }
                }
                var status: JSONValue?
                do {
                    for try await item in output {
                        switch item {
                        case .stdout(let bytes): try await stdout.write(ByteBuffer(bytes: bytes))
                        case .stderr(let bytes): try await stderr.write(ByteBuffer(bytes: bytes))
                        case .status(let value): status = value
                        }
                    }
                } catch {
                    // The connection dropped: whatever status arrived stands; none means "dropped".
                }
                group.cancelAll()
                return status
            }
        }
    }
}

