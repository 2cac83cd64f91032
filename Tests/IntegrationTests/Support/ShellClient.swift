import CubicleTestSupport
import Foundation
import Synchronization

/// A WebSocket client speaking the kubectl exec framing to `/interactive`: it queues frames to
/// send, records every frame received by channel, answers the server's close frame and reports
/// it. It runs on a bare socket (`RawWebSocket`) and keeps whatever arrives together with the
/// handshake answer: a short command's whole output, status and close frame can share one TCP
/// segment with the `101`, and a client that dropped those bytes (as the NIO-based client this
/// replaced did about once in fifty connections under load) saw a shell that never ended.
final class ShellClient: Sendable {
    private enum Command: Sendable {
        case binary([UInt8])
        case text(String)
    }

    private struct Transcript {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var status: [UInt8]?
        var frames = 0
        var upgraded = false
        var ended = false
        var closeCode: UInt16?
        var closeReason: String?
        var failure: String?
    }

    /// The `User-Agent` sent, unique per client, so tests find their session in the list.
    let userAgent: String
    private let commands: AsyncStream<Command>.Continuation
    private let transcript = Mutex(Transcript())
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let socket: Mutex<RawWebSocket?> = Mutex(nil)

    private init(commands: AsyncStream<Command>.Continuation, userAgent: String) {
        self.commands = commands
        self.userAgent = userAgent
    }

    /// Connects to `path` (with its query) on `server` as the holder of `token`; with
    /// `pauseAfterEachFrame` it reads like a slow client.
    static func connect(
        _ server: ServerHarness, path: String, token: String? = nil, protocols: [String] = ["v5.channel.k8s.io"],
        tokenInSubprotocol: Bool = false, pauseAfterEachFrame: Duration? = nil
    ) -> ShellClient {
        let (stream, continuation) = AsyncStream<Command>.makeStream()
        let client = ShellClient(commands: continuation, userAgent: "shell-test-\(UUID().uuidString)")
        let bearer = token ?? server.adminToken
        var offered = protocols
        if tokenInSubprotocol {
            let encoded = Data(bearer.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            offered.append("base64url.bearer.authorization.k8s.io.\(encoded)")
        }
        let port = HostileHTTP.port(of: server.url)
        let task = Task {
            do {
                let socket = try await RawWebSocket.connect(
                    port: port, path: path, token: tokenInSubprotocol ? nil : bearer, userAgent: client.userAgent, protocols: offered)
                client.socket.withLock { $0 = socket }
                guard socket.status == 101 else {
                    throw TestFailure("the upgrade was refused: \(socket.head.split(separator: "\r\n").first ?? "")")
                }
                client.transcript.withLock { $0.upgraded = true }
                let writer = Task {
                    for await command in stream {
                        switch command {
                        case .binary(let bytes): try? await socket.send(opcode: 0x2, bytes)
                        case .text(let text): try? await socket.send(opcode: 0x1, Array(text.utf8))
                        }
                    }
                }
                var readFailure: (any Error)?
                do { try await client.read(socket, pauseAfterEachFrame: pauseAfterEachFrame) } catch { readFailure = error }
                // The descriptor is closed only once neither task can still use it.
                client.commands.finish()
                await writer.value
                if let readFailure { throw readFailure }
            } catch {
                client.transcript.withLock { $0.failure = "\(error)" }
            }
            client.commands.finish()
            await client.socket.withLock { $0 }?.close()
            client.transcript.withLock { $0.ended = true }
        }
        client.task.withLock { $0 = task }
        return client
    }

    /// Reads frames until the server closes the connection, answering its close frame.
    private func read(_ socket: RawWebSocket, pauseAfterEachFrame: Duration?) async throws {
        var answered = false
        while true {
            switch try await socket.next(timeout: 1) {
            case .frame(let frame) where frame.opcode == 0x8:
                transcript.withLock { state in
                    if state.closeCode == nil {
                        state.closeCode = frame.closeCode ?? 1005
                        state.closeReason = frame.closeReason
                    }
                }
                if !answered {
                    answered = true
                    try? await socket.send(opcode: 0x8, Array(frame.payload.prefix(2)))
                }
            case .frame(let frame) where frame.opcode == 0x2:
                record(frame.payload)
                // A slow reader: the server's socket queue stays full to the end.
                if let pause = pauseAfterEachFrame { try await Task.sleep(for: pause) }
            case .frame:
                continue
            case .closed:
                return
            case .timedOut:
                if Task.isCancelled { return }
            }
        }
    }

    private func record(_ frame: [UInt8]) {
        transcript.withLock { state in
            state.frames += 1
            guard let channel = frame.first else { return }
            let payload = frame.dropFirst()
            switch channel {
            case 1: state.stdout += payload
            case 2: state.stderr += payload
            case 3: state.status = Array(payload)
            default: break
            }
        }
    }

    /// Sends stdin.
    func type(_ text: String) { commands.yield(.binary([0] + Array(text.utf8))) }

    /// Sends a raw frame.
    func send(_ frame: [UInt8]) { commands.yield(.binary(frame)) }

    /// Sends a text frame.
    func sendText(_ text: String) { commands.yield(.text(text)) }

    /// Sends a resize.
    func resize(cols: Int, rows: Int) { send([4] + Array(#"{"Width":\#(cols),"Height":\#(rows)}"#.utf8) + [0x0A]) }

    /// Drops the connection without waiting for the program (no close frame, as a client that
    /// lost its network).
    func drop() async {
        commands.finish()
        await socket.withLock { $0 }?.shutdown()
        let task = self.task.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    /// Stdout so far, as text.
    var stdout: String { String(decoding: transcript.withLock { $0.stdout }, as: UTF8.self) }

    /// Stderr so far, as text.
    var stderr: String { String(decoding: transcript.withLock { $0.stderr }, as: UTF8.self) }

    /// Waits until stdout contains `text`.
    func waitForOutput(_ text: String, within seconds: Double = 30) async throws {
        try await eventually("stdout contains \(text.debugDescription); got \(stdout.suffix(400).debugDescription)", within: seconds) {
            if let failure = transcript.withLock({ $0.failure }) { throw TestFailure("connection failed: \(failure)") }
            return stdout.contains(text)
        }
    }

    /// How the connection ended: the status document, the close code and reason.
    struct Ending: Sendable {
        let status: JSONObject?
        let closeCode: UInt16?
        let closeReason: String?
        let failure: String?

        /// One line for a failed expectation: how the connection ended.
        var summary: String {
            "status \(status.map { "\($0)" } ?? "none"), close \(closeCode.map(String.init) ?? "none") \(closeReason ?? ""), failure \(failure ?? "none")"
        }
    }

    /// What arrived so far, for a failure message.
    var progress: String {
        transcript.withLock { state in
            let status = state.status.map { String(decoding: $0, as: UTF8.self) } ?? "none"
            return "upgraded \(state.upgraded), \(state.frames) frames, stdout \(state.stdout.count) bytes "
                + "\(String(decoding: state.stdout.suffix(200), as: UTF8.self).debugDescription), stderr \(state.stderr.count) bytes, "
                + "status \(status), failure \(state.failure ?? "none")"
        }
    }

    /// Waits for the server to end the connection.
    func ending(within seconds: Double = 30) async throws -> Ending {
        do {
            try await eventually("the server ends the connection", within: seconds) { transcript.withLock { $0.ended } }
        } catch {
            throw TestFailure("\(error); so far: \(progress)")
        }
        return try transcript.withLock { state in
            Ending(
                status: try state.status.map { try JSONObject(Data($0)) }, closeCode: state.closeCode, closeReason: state.closeReason,
                failure: state.failure)
        }
    }
}
