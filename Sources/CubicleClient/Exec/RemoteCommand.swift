import CubicleModel
import NIOCore
import NIOWebSocket

/// What a remote command sends back.
public enum RemoteOutput: Sendable {
    /// Bytes on stdout (with a TTY, stdout and stderr merged).
    case stdout([UInt8])
    /// Bytes on stderr.
    case stderr([UInt8])
    /// The process ended: the `metav1.Status` JSON.
    case status(JSONValue)
}

/// How a remote command is started: `/workspaces/:name/interactive` with the Kubernetes
/// remote-command framing (`v5.channel.k8s.io`).
public struct RemoteCommandOptions: Sendable {
    /// The program and its arguments; empty runs the user's login shell.
    public var command: [String] = []
    /// Allocate a PTY.
    public var tty = true
    /// Forward stdin.
    public var stdin = true
    /// Initial terminal size.
    public var columns: Int?
    /// Initial terminal size.
    public var rows: Int?
    /// A detached session to re-attach to.
    public var session: String?

    /// Default options: the login shell on a TTY.
    public init() {}

    var query: [(String, String)] {
        var items: [(String, String)] = [("tty", tty ? "true" : "false"), ("stdin", stdin ? "true" : "false")]
        items += command.map { ("command", $0) }
        if let columns { items.append(("cols", String(columns))) }
        if let rows { items.append(("rows", String(rows))) }
        if let session { items.append(("session", session)) }
        return items
    }
}

/// One remote command over a WebSocket: frames in, channel-tagged bytes out.
public struct RemoteCommand: Sendable {
    /// The session id to re-attach with (`X-Cubicle-Session`).
    public let sessionID: String?
    /// The negotiated subprotocol.
    public let subprotocol: String?
    let writer: NIOAsyncChannelOutboundWriter<WebSocketFrame>

    /// Sends bytes to the command's stdin.
    public func send(stdin bytes: some Collection<UInt8>) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.writeInteger(UInt8(0))
        buffer.writeBytes(bytes)
        try await write(buffer)
    }

    /// Tells the command its stdin ended (v5's close channel).
    public func closeStdin() async throws {
        try await write(ByteBuffer(bytes: [255, 0]))
    }

    /// Resizes the command's terminal.
    public func resize(columns: Int, rows: Int) async throws {
        try await write(ByteBuffer(string: "\u{4}{\"Width\":\(columns),\"Height\":\(rows)}"))
    }

    /// Sends a ping (keeps idle connections alive through proxies).
    public func ping() async throws {
        try await writer.write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(string: "cubicle")))
    }

    private func write(_ payload: ByteBuffer) async throws {
        try await writer.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: payload))
    }

    /// The exit code a `metav1.Status` stands for: 0 for `Success`, the `ExitCode` cause of a
    /// `NonZeroExitCode` failure, else 1 (like kubectl).
    public static func exitCode(of status: JSONValue) -> Int32 {
        if status["status"]?.stringValue == "Success" { return 0 }
        if let causes = status[path: ["details", "causes"]]?.arrayValue {
            for cause in causes where cause["reason"]?.stringValue == "ExitCode" {
                if let code = cause["message"]?.stringValue.flatMap({ Int32($0) }) { return code }
            }
        }
        return 1
    }
}

/// The command's output as it arrives, with the channel's back-pressure (the server is read only
/// as fast as the output is taken). Pings are answered on the way; a close frame ends it.
public struct RemoteOutputSequence: AsyncSequence, Sendable {
    public typealias Element = RemoteOutput
    let inbound: NIOAsyncChannelInboundStream<WebSocketFrame>
    let writer: NIOAsyncChannelOutboundWriter<WebSocketFrame>

    public func makeAsyncIterator() -> Iterator { Iterator(frames: inbound.makeAsyncIterator(), writer: writer) }

    /// Reads frames until one completes a message of a known channel.
    public struct Iterator: AsyncIteratorProtocol {
        var frames: NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator
        let writer: NIOAsyncChannelOutboundWriter<WebSocketFrame>
        var message = ByteBuffer()
        var closed = false

        public mutating func next() async throws -> RemoteOutput? {
            while !closed, let frame = try await frames.next() {
                switch frame.opcode {
                case .ping:
                    try await writer.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                case .connectionClose:
                    closed = true
                    try? await writer.write(
                        WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer(bytes: [0x03, 0xE8])))
                case .binary, .text, .continuation:
                    var data = frame.unmaskedData
                    message.writeBuffer(&data)
                    guard frame.fin else { continue }
                    defer { message.clear() }
                    guard let channel = message.readInteger(as: UInt8.self) else { continue }
                    let bytes = Array(message.readableBytesView)
                    switch channel {
                    case 1: return .stdout(bytes)
                    case 2: return .stderr(bytes)
                    case 3: if let status = try? JSONValue.parse(bytes) { return .status(status) }
                    default: continue
                    }
                default:
                    continue
                }
            }
            return nil
        }
    }
}

extension CubicleAPI {
    /// Runs `body` with a remote command in `workspace`, handing it the command (to send stdin,
    /// resize) and its output; the connection is closed when `body` returns. Refusals (401, 404,
    /// 409…) throw the server's error.
    public func withRemoteCommand<T: Sendable>(
        workspace: String, options: RemoteCommandOptions,
        _ body: @Sendable (RemoteCommand, RemoteOutputSequence) async throws -> T
    ) async throws -> T {
        let path = "workspaces/\(URLEncoding.component(workspace))/interactive"
        let url = connection.webSocketBase + "/api/v1/" + path + "?" + URLEncoding.query(options.query)
        var headers: [(String, String)] = [("User-Agent", "cubicle-cli/\(CubicleVersion.current)")]
        if let token = connection.token { headers.append(("Authorization", "Bearer \(token)")) }
        guard let upgraded = try await WebSocketConnector.connect(
            url: url, headers: headers, subprotocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"], tls: tls, connectTimeout: 10)
        else {
            // The refusal's JSON error comes with a plain request to the same route.
            _ = try await send(.GET, path, query: options.query, accept: [])
            throw ClientError.protocolError("the server refused the WebSocket upgrade")
        }
        let subprotocol = upgraded.headers.first(name: "Sec-WebSocket-Protocol")
        let sessionID = upgraded.headers.first(name: "X-Cubicle-Session")
        return try await upgraded.channel.executeThenClose { inbound, outbound in
            let command = RemoteCommand(sessionID: sessionID, subprotocol: subprotocol, writer: outbound)
            return try await body(command, RemoteOutputSequence(inbound: inbound, writer: outbound))
        }
    }
}
