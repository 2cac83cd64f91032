import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Why an upgrade was refused, per connection, until the connection writes its answer.
/// hummingbird-websocket answers every refused upgrade with an empty 400; the API promises the
/// real error (401, 404, 409…) in its JSON shape, so the refusal is parked here by the upgrade
/// check and `RejectedUpgradeRewriter` puts it into the response.
final class UpgradeRejections: Sendable {
    /// The rejection of one connection.
    struct Rejection: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: [UInt8]
    }

    private let pending = Mutex<[ObjectIdentifier: Rejection]>([:])

    /// Creates an empty set.
    init() {}

    /// Parks the rejection of `channel`.
    func park(_ rejection: Rejection, for channel: any Channel) {
        pending.withLock { $0[ObjectIdentifier(channel)] = rejection }
    }

    /// Takes the parked rejection of `channel`, if any.
    func take(for channel: any Channel) -> Rejection? {
        pending.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// On a connection whose upgrade was refused, replaces the library's empty 400 with the parked
/// error response; every other response passes through untouched.
final class RejectedUpgradeRewriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let rejections: UpgradeRejections
    private var body: [UInt8]?

    init(rejections: UpgradeRejections) { self.rejections = rejections }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .badRequest:
            guard let rejection = rejections.take(for: context.channel) else {
                context.write(data, promise: promise)
                return
            }
            var fields = rejection.headers
            fields[.contentLength] = "\(rejection.body.count)"
            fields[.connection] = "close"
            body = rejection.body
            context.write(wrapOutboundOut(.head(HTTPResponse(status: rejection.status, headerFields: fields))), promise: promise)
        case .end(let trailers):
            if let pending = body {
                body = nil
                context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: pending))), promise: nil)
            }
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = rejections.take(for: context.channel)
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension RejectedUpgradeRewriter: Sendable {}
