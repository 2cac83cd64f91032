import CubicleModel
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Moves bytes between one WebSocket and one attached shell: the writer drains the client's
/// outbox into the socket (each write waits for the socket, so a slow client holds the shell
/// back); the reader decodes client frames into stdin, resizes and stdin EOF. A frame that
/// breaks the protocol closes the socket with a reason; the shell itself stays (detached).
/// Errors of the WebSocket layer itself (a continuation without a start, a message over the
/// size limit, a frame over the frame limit) are rethrown so the WebSocket handler closes with
/// their code (1002, 1009) instead of a normal 1000.
struct ShellBridge: Sendable {
    let session: LiveShell
    let attachment: LiveShell.Attachment
    let subprotocol: ExecSubprotocol?
    let options: ShellOptions
    /// The clock of the close grace.
    let time: any TimeSource

    /// How long the client gets, once the status and close frame are queued, to read what is
    /// still in flight and answer the close before the socket is closed anyway. Only the last
    /// socket buffer's worth is in flight (the writer waits for the socket), so this covers
    /// clients down to ~70 KB/s; a slower one loses what it has not read by then.
    static let closeGraceSeconds = 60.0

    /// How one of the bridge's tasks ended.
    private enum End: Sendable {
        /// The writer sent the status and the close frame (both may still sit in the socket's
        /// queue, behind the output the client has not read yet).
        case delivered
        /// The writer stopped early: the client left or the socket failed.
        case writerStopped
        /// The reader ended; carries the WebSocket layer's error, if any.
        case reader((any Error)?)
        /// The client did not answer the close frame within `closeGraceSeconds`.
        case graceOver
    }

    /// Runs until the program's status was sent and the client answered the close (or the grace
    /// ran out), or until the client is gone; throws the WebSocket layer's error when the client
    /// broke the framing.
    ///
    /// After the status the reader is left to take the client's answering close frame instead of
    /// being cancelled: cancelling a read of NIO's inbound stream ends that stream for good, the
    /// WebSocket layer then closes the TCP connection at once, and whatever output was still
    /// queued behind a slow client's window — the tail of the stream, the status and the close
    /// frame — was dropped.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let failure = await withTaskGroup(of: End.self) { group in
            group.addTask { await self.write(outbound) ? .delivered : .writerStopped }
            group.addTask { .reader(await self.read(inbound, outbound)) }
            var failure: (any Error)?
            switch await group.next() {
            case .delivered:
                group.addTask { [time] in
                    try? await time.sleep(seconds: Self.closeGraceSeconds)
                    return .graceOver
                }
                while let end = await group.next() {
                    if case .reader(let error) = end {
                        failure = error
                        break
                    }
                    if case .graceOver = end { break }
                }
            case .reader(let error):
                failure = error
            case .writerStopped, .graceOver, nil:
                break
            }
            // The client is gone or answered: end whatever still runs (the writer when the
            // reader ended first, the reader when the socket failed or the grace ran out).
            attachment.outbox.close()
            group.cancelAll()
            await group.waitForAll()
            return failure
        }
        if let failure { throw failure }
    }

    /// Drains the outbox into the socket; true once the status and the close frame were written.
    private func write(_ outbound: WebSocketOutboundWriter) async -> Bool {
        while let item = await attachment.outbox.next() {
            do {
                switch item {
                case .frame(let frame):
                    try await outbound.write(.binary(frame))
                case .status(let frame):
                    try await outbound.write(.binary(frame))
                    try await outbound.close(.normalClosure, reason: nil)
                    return true
                }
            } catch {
                return false
            }
        }
        return false
    }

    /// Reads client frames; answers the WebSocket layer's error when that ended the reading.
    private func read(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async -> (any Error)? {
        do {
            for try await message in inbound.messages(maxSize: 1 << 20) {
                let frame: ClientFrame
                switch message {
                case .text:
                    throw ExecFrameCodec.textFrameViolation
                case .binary(let buffer):
                    frame = try ExecFrameCodec.decode(Array(buffer.readableBytesView), protocol: subprotocol)
                }
                switch frame {
                case .stdin(let bytes):
                    // Input after the program ended has nowhere to go; the status tells the client.
                    if options.stdin { try? await session.write(bytes) }
                case .resize(let sizes):
                    if let last = sizes.last { session.resize(last) }
                case .closeStdin:
                    session.closeStdin()
                case .ignored:
                    break
                }
            }
        } catch let violation as ExecProtocolViolation {
            let code: WebSocketErrorCode =
                switch violation.kind {
                case .unsupportedData: .unacceptableData
                case .invalidPayload: .dataInconsistentWithMessage
                case .policyViolation: .policyViolation
                }
            try? await outbound.close(code, reason: violation.reason)
        } catch {
            // A framing error of the WebSocket layer: hand it back so the handler closes with
            // its code. Cancellation (the writer finished first) is no error of the client's.
            if !Task.isCancelled { return error }
        }
        return nil
    }
}
