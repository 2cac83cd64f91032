import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization

extension APIRouter {
    /// The HTTP/1 server with WebSocket upgrades for `/workspaces/:name/interactive`. The upgrade
    /// check runs the API's authentication and the shell's checks through a small router; a
    /// refusal answers with the API's JSON error (401, 404, 409…), not an empty 400.
    /// `headTimeout` bounds how long a connection may take to send a request head, `idleTimeout`
    /// how long a kept-alive connection may sit between requests (both seconds; nil: no limit).
    public static func webSocketServer(
        _ dependencies: APIDependencies, configuration: WebSocketServerConfiguration,
        headTimeout: Double? = nil, idleTimeout: Double? = nil
    ) -> HTTPServerBuilder {
        let rejections = UpgradeRejections()
        let responder = upgradeRouter(dependencies).buildResponder()
        let gateway = ShellGateway(dependencies: dependencies)
        let upgradeConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(
                additionalChannelHandlers: [ExpectContinueHandler(), RejectedUpgradeRewriter(rejections: rejections)],
                idleTimeout: idleTimeout.map { .nanoseconds(Int64($0 * 1e9)) }),
            ws: configuration)
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) async throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { head, channel, logger in
            let context = CubicleRequestContext(source: .init(channel: channel, logger: logger))
            let request = Request(head: head, body: .init(buffer: ByteBuffer()))
            do {
                let response = try await responder.respond(to: request, context: context)
                if response.status == .ok, let plan = context.upgrade.take() {
                    return .upgrade(ShellGateway.upgradeHeaders(plan)) { inbound, outbound, _ in
                        try await gateway.run(plan, inbound: inbound, outbound: outbound, eventLoop: channel.eventLoop, logger: logger)
                    }
                }
                // Errors the router turned into responses (APIError from auth or the checks).
                let sink = BodySink()
                try await response.body.write(BodyCollector(sink: sink))
                var headers = response.headers
                headers[.contentLength] = nil
                rejections.park(.init(status: response.status, headers: headers, body: sink.bytes), for: channel)
                return .dontUpgrade
            } catch {
                let (apiError, unexpected) = ErrorMapping.apiError(for: error)
                if unexpected { logger.error("WebSocket upgrade check failed", metadata: ["error": "\(error)"]) }
                var headers = HTTPFields()
                headers[.contentType] = "application/json; charset=utf-8"
                if apiError.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"cubicle\"" }
                rejections.park(.init(status: apiError.status, headers: headers, body: apiError.body), for: channel)
                return .dontUpgrade
            }
        }
        return HTTPServerBuilder { responder in
            ClosingChildChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: upgradeConfiguration, shouldUpgrade: shouldUpgrade),
                headTimeout: headTimeout.map { .nanoseconds(Int64($0 * 1e9)) })
        }
    }

    /// Authentication and the shell checks for upgrade requests; the handler leaves its plan in
    /// the request context.
    static func upgradeRouter(_ dependencies: APIDependencies) -> Router<CubicleRequestContext> {
        let router = Router(context: CubicleRequestContext.self)
        router.add(middleware: WebSocketTokenMiddleware())
        let gateway = ShellGateway(dependencies: dependencies)
        router.group(RouterPath(stringLiteral: root))
            .add(middleware: Authenticator(
                store: dependencies.store, time: dependencies.time, keyring: dependencies.auth.keyring, settings: dependencies.auth.settings))
            .get(RouterPath(stringLiteral: ShellRoutes.route(.interactive).path)) { request, context in
                let route = ShellRoutes.route(.interactive)
                try AccessPolicy.authorize(APIRoute(route.method, route.path, isPublic: false), context.caller)
                context.upgrade.store(try gateway.plan(request, context))
                return Response(status: .ok)
            }
        return router
    }
}

/// Collects a small response body (an error document) into memory.
private struct BodyCollector: ResponseBodyWriter {
    let sink: BodySink

    mutating func write(_ buffer: ByteBuffer) async throws { sink.append(buffer) }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The bytes a `BodyCollector` gathered.
private final class BodySink: Sendable {
    private let storage = Mutex<[UInt8]>([])

    var bytes: [UInt8] { storage.withLock { $0 } }

    func append(_ buffer: ByteBuffer) {
        storage.withLock { bytes in
            guard bytes.count < 65_536 else { return }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
    }
}
