import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Moves bytes between one WebSocket and one attached shell: the writer drains the client's
/// outbox into the socket (each write waits for the socket, so a slow client holds the shell
/// back); the reader decodes client frames into stdin, resizes and stdin EOF. A frame that
/// breaks the protocol closes the socket with a reason; the shell itself stays (detached).
struct ShellBridge: Sendable {
    let session: LiveShell
    let attachment: LiveShell.Attachment
    let subprotocol: ExecSubprotocol?
    let options: ShellOptions

    /// Runs until the program's status was sent or the client is gone.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.write(outbound) }
            group.addTask { await self.read(inbound, outbound) }
            // Whichever side ends first ends the other: the writer after the status (or a dead
            // socket), the reader when the client closes or breaks the protocol.
            await group.next()
            attachment.outbox.close()
            group.cancelAll()
            await group.waitForAll()
        }
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

    private func read(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async {
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
            // The socket or the channel went away; the session decides what happens next.
        }
    }
}
