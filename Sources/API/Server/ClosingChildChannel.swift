import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Closes connections whose request cannot be parsed. The WebSocket-upgrading HTTP/1 channel
/// configures its pipeline without NIO's protocol error handling, and while it negotiates an
/// upgrade nothing else listens for decoder errors: a control character in a header left the
/// socket open for as long as the client liked. A handler at the end of the pipeline closes the
/// connection on any HTTP parser error; after the handler returns the channel is closed too
/// once its queued writes had time to go out (harmless when it already is).
struct ClosingChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    /// How long a connection may take to send its first request head (nil: forever).
    var headTimeout: TimeAmount?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(ParserErrorCloser())
            if let headTimeout { try RequestHeadTimeout.install(on: channel, timeout: headTimeout) }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
        // Closing drops writes still queued in the channel — the last frames of a fast shell
        // stream, its status and close frame — so give them time to reach the socket; a
        // connection still open after that is closed.
        let channel = value.channel
        let force = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        force.cancel()
    }
}

/// Closes the channel when an HTTP parser error reaches it (after passing the error on).
final class ParserErrorCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Passed on first, so whoever reads the request (an upload's body) sees it fail rather
        // than end cleanly; then the connection goes.
        context.fireErrorCaught(error)
        if error is HTTPParserError { context.close(promise: nil) }
    }
}
