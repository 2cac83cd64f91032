import CubicleModel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Opens a WebSocket to the API (the `kubectl exec` framing of `/interactive`) over SwiftNIO.
///
/// Frames that arrive in the same read as the `101` — a short command's whole output, status and
/// close frame — are kept: the HTTP decoder's left-over bytes are forwarded to the WebSocket
/// decoder (NIO's default for an upgrade drops them, which loses exactly those frames).
enum WebSocketConnector {
    /// The open connection and the upgrade answer's headers.
    struct Upgraded: Sendable {
        let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
        let headers: HTTPHeaders
    }

    private enum Outcome: Sendable {
        case upgraded(Upgraded)
        case refused
    }

    /// Connects to `url` (`ws://` or `wss://`); nil when the server answered without upgrading
    /// (its error is then read with a plain request).
    static func connect(
        url: String, headers: [(String, String)], subprotocols: [String], tls: TLSConfiguration?, connectTimeout: Double
    ) async throws -> Upgraded? {
        let target = try Target(url)
        let sslContext = try target.secure ? NIOSSLContext(configuration: tls ?? .makeClientConfiguration()) : nil
        var head = HTTPHeaders()
        head.add(name: "Host", value: target.hostHeader)
        for (name, value) in headers { head.add(name: name, value: value) }
        head.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        head.add(name: "Content-Length", value: "0")
        let requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: head)

        let negotiated: EventLoopFuture<Outcome>
        do {
            negotiated = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(connectTimeout * 1000)))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: target.isIPAddress ? nil : target.host))
                        }
                        let upgrader = NIOTypedWebSocketClientUpgrader<Outcome>(maxFrameSize: 1 << 24) { channel, response in
                            channel.eventLoop.makeCompletedFuture {
                                let wrapped = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                                return .upgraded(Upgraded(channel: wrapped, headers: response.headers))
                            }
                        }
                        var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
                            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                                upgradeRequestHead: requestHead, upgraders: [upgrader],
                                notUpgradingCompletionHandler: { channel in
                                    channel.close(promise: nil)
                                    return channel.eventLoop.makeSucceededFuture(.refused)
                                }))
                        configuration.leftOverBytesStrategy = .forwardBytes
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                    }
                }
        } catch {
            throw ClientError.unreachable("cannot reach \(target.host):\(target.port): \(CubicleAPI.describe(error))")
        }
        switch try await negotiated.get() {
        case .upgraded(let upgraded): return upgraded
        case .refused: return nil
        }
    }

    /// The parts of a `ws://` URL a connection needs.
    struct Target {
        let secure: Bool
        let host: String
        let port: Int
        let path: String

        init(_ url: String) throws {
            let rest: Substring
            if url.hasPrefix("wss://") {
                secure = true
                rest = url.dropFirst(6)
            } else if url.hasPrefix("ws://") {
                secure = false
                rest = url.dropFirst(5)
            } else {
                throw ClientError.invalid("not a WebSocket URL: \(url)")
            }
            let authority = rest.prefix { $0 != "/" }
            path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? 0 : (secure ? 443 : 80)
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = Int(authority[authority.index(after: colon)...]) ?? 0
            } else {
                host = String(authority)
                port = secure ? 443 : 80
            }
            guard !host.isEmpty, (1...65535).contains(port) else { throw ClientError.invalid("not a WebSocket URL: \(url)") }
        }

        var isIPAddress: Bool { host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." } }

        var hostHeader: String {
            let name = host.contains(":") ? "[\(host)]" : host
            return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
        }
    }
}
