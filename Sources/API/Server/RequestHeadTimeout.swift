import NIOCore

/// Closes a connection whose first request head has not fully arrived within `timeout`.
/// While the WebSocket-upgrading channel waits for a head, no idle timer runs (Hummingbird adds
/// its idle handling only once it knows the request is not an upgrade), so a client trickling
/// header bytes — or sending none — could hold a connection forever. Sits first in the pipeline,
/// watches the raw bytes for the blank line that ends the head, and removes itself there:
/// later requests on a kept-alive connection are covered by the HTTP/1 idle timeout, and
/// upgraded shells are never cut.
final class RequestHeadTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// The scanner looking for CRLF CRLF across reads.
    private var scanner = HeadEndScanner()

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
        let complete = scanner.scan(unwrapInboundIn(data).readableBytesView)
        context.fireChannelRead(data)
        if complete {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    /// Adds the handler in front of everything else on `channel`.
    static func install(on channel: any Channel, timeout: TimeAmount) throws {
        try channel.pipeline.syncOperations.addHandler(RequestHeadTimeout(timeout: timeout), position: .first)
    }
}

/// Finds the end of an HTTP/1 request head (`\r\n\r\n`) in bytes that arrive in pieces.
struct HeadEndScanner {
    /// How many bytes of `\r\n\r\n` the bytes seen so far end with.
    private var matched = 0

    /// Feeds the next bytes; true once the head's end has been seen.
    mutating func scan(_ bytes: some Sequence<UInt8>) -> Bool {
        for byte in bytes {
            switch (matched, byte) {
            case (0, UInt8(ascii: "\r")), (2, UInt8(ascii: "\r")): matched += 1
            case (1, UInt8(ascii: "\n")): matched = 2
            case (3, UInt8(ascii: "\n")): return true
            case (_, UInt8(ascii: "\r")): matched = 1
            default: matched = 0
            }
        }
        return false
    }
}
