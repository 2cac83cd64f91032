import CubicleTestSupport
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A real WebSocket client speaking the kubectl exec framing to `/interactive`: it queues frames
/// to send, records every frame received by channel, and reports the server's close frame.
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
        var headers = HTTPFields()
        headers[.userAgent] = client.userAgent
        let bearer = token ?? server.adminToken
        var offered = protocols
        if tokenInSubprotocol {
            let encoded = Data(bearer.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            offered.append("base64url.bearer.authorization.k8s.io.\(encoded)")
        } else {
            headers[.authorization] = "Bearer \(bearer)"
        }
        if !offered.isEmpty { headers[.secWebSocketProtocol] = offered.joined(separator: ", ") }
        let url = server.url.replacingOccurrences(of: "http://", with: "ws://") + path
        var logger = Logger(label: "shell-client")
        logger.logLevel = .warning
        let task = Task {
            do {
                let close = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers), logger: logger
                ) { inbound, outbound, _ in
                    let writer = Task {
                        for await command in stream {
                            switch command {
                            case .binary(let bytes): try? await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                            case .text(let text): try? await outbound.write(.text(text))
                            }
                        }
                    }
                    defer { writer.cancel() }
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        guard case .binary(let buffer) = message else { continue }
                        client.record(Array(buffer.readableBytesView))
                        // A slow reader: the server's socket queue stays full to the end.
                        if let pause = pauseAfterEachFrame { try await Task.sleep(for: pause) }
                    }
                }
                client.transcript.withLock { state in
                    state.closeCode = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
                    state.closeReason = close?.reason
                }
            } catch {
                client.transcript.withLock { $0.failure = "\(error)" }
            }
            client.transcript.withLock { $0.ended = true }
        }
        client.task.withLock { $0 = task }
        return client
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

    /// Drops the connection without waiting for the program.
    func drop() async {
        commands.finish()
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

    /// Waits for the server to end the connection.
    func ending(within seconds: Double = 30) async throws -> Ending {
        try await eventually("the server ends the connection", within: seconds) { transcript.withLock { $0.ended } }
        return try transcript.withLock { state in
            Ending(
                status: try state.status.map { try JSONObject(Data($0)) }, closeCode: state.closeCode, closeReason: state.closeReason,
                failure: state.failure)
        }
    }
}

extension UInt16 {
    /// The wire number of a close code.
    init(webSocketErrorCode code: WebSocketErrorCode) {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        self = buffer.readInteger(as: UInt16.self) ?? 0
    }
}
