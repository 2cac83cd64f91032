import NIOCore
import NIOHTTP1

/// Closes a connection whose first request head has not fully arrived within `timeout`.
/// While the WebSocket-upgrading channel waits for a head, no idle timer runs (Hummingbird adds
/// its idle handling only once it knows the request is not an upgrade), so a client trickling
/// header bytes — or sending none — could hold a connection forever. Sits right after the
/// request decoder and removes itself at the first head: later requests on a kept-alive
/// connection are covered by the HTTP/1 idle timeout, and upgraded shells are never cut.
final class RequestHeadTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let isHead: Bool
        if case .head = unwrapInboundIn(data) { isHead = true } else { isHead = false }
        context.fireChannelRead(data)
        if isHead {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    /// Adds the handler right after the pipeline's request decoder (no-op when there is none).
    static func install(on channel: any Channel, timeout: TimeAmount) throws {
        let operations = channel.pipeline.syncOperations
        guard let decoder = try? operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try operations.addHandler(RequestHeadTimeout(timeout: timeout), position: .after(decoder))
    }
}
