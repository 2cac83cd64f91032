import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with an interim `100 Continue`, which Hummingbird does not
/// send itself: without it `curl -T` waits a second before every upload body. The final answer
/// may still refuse the body (`413` by `Content-Length`); no body byte is written before it.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    /// Request parts from the HTTP codec.
    public typealias InboundIn = HTTPRequestPart
    /// Passed on unchanged.
    public typealias InboundOut = HTTPRequestPart
    /// Response parts to the HTTP codec.
    public typealias OutboundIn = HTTPResponsePart
    /// Passed on unchanged.
    public typealias OutboundOut = HTTPResponsePart

    /// A handler for one connection.
    public init() {}

    /// Sends `100 Continue` before passing on a head that expects it.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data),
           request.headerFields[.expect]?.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ExpectContinueHandler: Sendable {}
