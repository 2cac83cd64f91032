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

    /// Runs until the program's status was sent or the client is gone; throws the WebSocket
    /// layer's error when the client broke the framing.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let failure = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                await self.write(outbound)
                return nil
            }
            group.addTask { await self.read(inbound, outbound) }
            // Whichever side ends first ends the other: the writer after the status (or a dead
            // socket), the reader when the client closes or breaks the protocol.
            let first = await group.next() ?? nil
            attachment.outbox.close()
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        if let failure { throw failure }
    }

    private func write(_ outbound: WebSocketOutboundWriter) async {
        while let item = await attachment.outbox.next() {
            do {
                switch item {
                case .frame(let frame):
                    try await outbound.write(.binary(frame))
                case .status(let frame):
                    try await outbound.write(.binary(frame))
                    try await outbound.close(.normalClosure, reason: nil)
                    return
                }
            } catch {
                return
            }
        }
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
                    if options.stdin { try await session.write(bytes) }
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
