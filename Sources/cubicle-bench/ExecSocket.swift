import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A kubectl exec WebSocket (`v5.channel.k8s.io`) to Cubicle's `/interactive`, driven from
/// inside one closure: frames are read with `next()` on the closure's task, written through
/// `sender` from any task.
final class ExecSocket {
    /// Writes frames; Sendable, so a writer task can run beside the reading one.
    struct Sender: Sendable {
        fileprivate let outbound: WebSocketOutboundWriter

        /// Sends one frame.
        func send(_ frame: ExecFrame) async throws {
            try await outbound.write(.binary(ByteBuffer(bytes: frame.encoded)))
        }

        /// Sends stdin bytes.
        func stdin(_ bytes: [UInt8]) async throws { try await send(.stdin(bytes)) }
    }

    /// The writing half.
    let sender: Sender
    private var messages: WebSocketInboundMessageStream.AsyncIterator

    private init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        sender = Sender(outbound: outbound)
        messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
    }

    /// The next non-empty frame; nil once the server closed the socket.
    func next() async throws -> ExecFrame? {
        while let message = try await messages.next() {
            guard case .binary(let buffer) = message, let frame = ExecFrame(decoding: buffer.readableBytesView) else { continue }
            return frame
        }
        return nil
    }

    /// Reads until the status frame, counting stdout bytes without copying them; returns the
    /// count and whether the status said success (false when the socket closed without one).
    func drainStdout() async throws -> (bytes: Int, success: Bool) {
        var bytes = 0
        while let message = try await messages.next() {
            guard case .binary(let buffer) = message, let channel = buffer.readableBytesView.first else { continue }
            switch channel {
            case 1: bytes += buffer.readableBytes - 1
            case 3: return (bytes, ExecFrame.isSuccess(status: Array(buffer.readableBytesView.dropFirst())))
            default: continue
            }
        }
        return (bytes, false)
    }

    /// Reads until stdout has carried `marker`; throws when the socket ends first.
    func waitFor(_ marker: [UInt8]) async throws {
        var seen: [UInt8] = []
        while let frame = try await next() {
            switch frame {
            case .stdout(let bytes), .stderr(let bytes):
                seen += bytes
                if seen.firstRange(of: marker) != nil { return }
            case .status(let status):
                throw BenchError("the program ended before printing its marker: \(String(decoding: status, as: UTF8.self))")
            default:
                continue
            }
        }
        throw BenchError("the socket closed before the program printed its marker (got \(String(decoding: seen.suffix(200), as: UTF8.self)))")
    }

    /// Connects to `url` as the holder of `token` and runs `body` on the open socket; the
    /// socket is closed when `body` returns.
    static func run<T: Sendable>(
        url: String, token: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: @escaping @Sendable (ExecSocket) async throws -> T
    ) async throws -> T {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.secWebSocketProtocol] = "v5.channel.k8s.io"
        var logger = Logger(label: "cubicle-bench.ws")
        logger.logLevel = .error
        let result = Mutex<Result<T, any Error>?>(nil)
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24, additionalHeaders: headers)
        let close = try await WebSocketClient.connect(url: url, configuration: configuration, eventLoopGroup: group, logger: logger) {
            inbound, outbound, _ in
            let socket = ExecSocket(inbound: inbound, outbound: outbound)
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(socket)) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
        }
        guard let outcome = result.withLock({ $0 }) else {
            throw BenchError("the WebSocket to \(url) closed before the exchange (\(close.map { "\($0.closeCode) \($0.reason ?? "")" } ?? "no close frame"))")
        }
        return try outcome.get()
    }
}

@available(*, unavailable) extension ExecSocket: Sendable {}
