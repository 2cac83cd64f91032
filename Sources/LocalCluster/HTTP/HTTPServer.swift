import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP/1.1 (optionally TLS) listener of the API server, on SwiftNIO's async channels: one
/// task per connection reads requests in order (keep-alive, pipelining), hands each to the API
/// layer and writes the answer; watches stream as chunked bodies.
final class HTTPServer: Sendable {
    /// What the listener needs.
    struct Configuration: Sendable {
        var host: String
        var port: Int
        var tls: NIOSSLContext?
        var maximumBodySize: Int
        var eventLoopGroup: any EventLoopGroup
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private enum State {
        case idle
        case running(Task<Void, Never>, any Channel)
        case stopped
    }

    private let configuration: Configuration
    private let api: APIServer
    private let logger: Logger
    private let state = Mutex(State.idle)

    init(configuration: Configuration, api: APIServer, logger: Logger) {
        self.configuration = configuration
        self.api = api
        self.logger = logger
    }

    /// Binds the listener and starts accepting; returns the bound address.
    func start() async throws -> SocketAddress {
        let tls = configuration.tls
        let server = try await ServerBootstrap(group: configuration.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        guard let address = server.channel.localAddress else {
            try? await server.channel.close()
            throw LocalClusterError.setup("the listener has no local address")
        }
        let task = Task { [self] in
            do {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            } catch {
                logger.debug("listener stopped", metadata: ["error": "\(error)"])
            }
        }
        state.withLock { $0 = .running(task, server.channel) }
        return address
    }

    /// Stops accepting, closes every connection and waits for their tasks.
    func shutdown() async {
        let running: (Task<Void, Never>, any Channel)? = state.withLock { state in
            guard case .running(let task, let channel) = state else { return nil }
            state = .stopped
            return (task, channel)
        }
        guard case let (task, channel)? = running else { return }
        try? await channel.close()
        task.cancel()
        await task.value
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                var certificateUser: UserInfo?
                var peerChecked = false
                while let part = try await parts.next() {
                    guard case .head(let head) = part else { continue }
                    if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .continue)))
                    }
                    var body: [UInt8] = []
                    var tooLarge = false
                    reading: while let part = try await parts.next() {
                        switch part {
                        case .body(let chunk):
                            if body.count + chunk.readableBytes > configuration.maximumBodySize {
                                tooLarge = true
                            } else if !tooLarge {
                                body.append(contentsOf: chunk.readableBytesView)
                            }
                        case .end:
                            break reading
                        case .head:
                            return
                        }
                    }
                    if tooLarge {
                        try await write(.failure(.tooLarge(limit: configuration.maximumBodySize)), head, keepAlive: false, outbound)
                        return
                    }
                    if !peerChecked {
                        certificateUser = await Self.peerUser(connection.channel)
                        peerChecked = true
                    }
                    let request = HTTPRequest(
                        method: head.method, uri: head.uri, headers: head.headers, body: body,
                        certificateUser: certificateUser
                    )
                    let response = await api.handle(request)
                    switch response {
                    case .body:
                        try await write(response, head, keepAlive: head.isKeepAlive, outbound)
                        if !head.isKeepAlive { return }
                    case .watch(let watch):
                        let clean = try await stream(watch, head, outbound, channel: connection.channel)
                        if !clean || !head.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.trace("connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func write(
        _ response: APIResponse, _ request: HTTPRequestHead, keepAlive: Bool,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        guard case .body(let status, let contentType, let bytes, let extra) = response else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        for (name, value) in extra { headers.add(name: name, value: value) }
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
        if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
        try await outbound.write(.end(nil))
    }

    /// Streams a watch as a chunked body; true when it ended cleanly (the response is complete
    /// and the connection reusable), false when it was cut and the connection must close.
    private func stream(
        _ watch: WatchStream, _ request: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        channel: any Channel
    ) async throws -> Bool {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: watch.contentType)
        headers.add(name: "Cache-Control", value: "no-cache, private")
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers)))
        let id = watch.subscription.id
        let store = watch.store
        channel.closeFuture.whenComplete { _ in store.endWatch(id) }
        let clean = await watch.run { items in
            for await item in items {
                guard let line = watch.encode(item) else { continue }
                do {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: line))))
                } catch {
                    return false
                }
                if case .error = item { return true }
            }
            return false
        }
        guard clean else { return false }
        try await outbound.write(.end(nil))
        return true
    }

    /// The user named by the connection's verified client certificate (CN, O as groups).
    private static func peerUser(_ channel: any Channel) async -> UserInfo? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return ClientCertificates.user(of: certificate)
    }
}
