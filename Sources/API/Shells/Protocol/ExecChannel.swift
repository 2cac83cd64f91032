import NIOCore

/// The channel byte that starts every remote-command frame.
enum ExecChannel: UInt8, Sendable {
    /// Client → server: the program's stdin.
    case stdin = 0
    /// Server → client: stdout (everything, with a TTY).
    case stdout = 1
    /// Server → client: stderr.
    case stderr = 2
    /// Server → client: the final `metav1.Status`.
    case status = 3
    /// Client → server: terminal size JSON.
    case resize = 4
    /// Client → server (v5): `[255, channel]` half-closes that stream.
    case close = 255
}

/// What a client frame asks for.
enum ClientFrame: Equatable, Sendable {
    /// Bytes for stdin.
    case stdin([UInt8])
    /// One or more new terminal sizes (apply the last).
    case resize([TerminalSize])
    /// End of stdin (v5 close of channel 0).
    case closeStdin
    /// Nothing to do (empty frames).
    case ignored
}

/// A frame the server refuses; the connection closes with `kind` and `reason`.
struct ExecProtocolViolation: Error, Equatable, Sendable {
    /// Which WebSocket close code fits.
    enum Kind: Equatable, Sendable {
        /// 1003: a frame type the protocol does not use (text frames).
        case unsupportedData
        /// 1007: a payload that does not parse (resize JSON).
        case invalidPayload
        /// 1008: a frame on a channel the client may not write.
        case policyViolation
    }

    /// The close code class.
    let kind: Kind
    /// The close reason sent to the client (kept under the 123-byte limit).
    let reason: String

    init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        var text = reason
        while text.utf8.count > 120 { text.removeLast() }
        self.reason = text
    }
}

/// Encodes server frames and decodes client frames of the remote-command protocol.
enum ExecFrameCodec {
    /// The largest payload put into one server frame (clients commonly cap frames at 32 KiB+).
    static let maximumPayload = 32 * 1024

    /// Decodes one binary client message.
    static func decode(_ message: [UInt8], protocol subprotocol: ExecSubprotocol?) throws(ExecProtocolViolation) -> ClientFrame {
        guard let first = message.first else { return .ignored }
        let payload = Array(message.dropFirst())
        switch ExecChannel(rawValue: first) {
        case .stdin:
            return payload.isEmpty ? .ignored : .stdin(payload)
        case .resize:
            return .resize(try TerminalSize.parse(payload))
        case .close where subprotocol?.supportsStreamClose == true:
            guard let stream = payload.first else { throw ExecProtocolViolation(.policyViolation, "close frame without a channel") }
            guard stream == ExecChannel.stdin.rawValue else {
                throw ExecProtocolViolation(.policyViolation, "only stdin (channel 0) can be closed by the client")
            }
            return .closeStdin
        case .stdout, .stderr, .status, .close:
            throw ExecProtocolViolation(.policyViolation, "channel \(first) is not a client channel (0 stdin, 4 resize)")
        case nil:
            throw ExecProtocolViolation(.policyViolation, "unknown channel \(first)")
        }
    }

    /// The violation for a text message: the protocols here use binary frames only.
    static let textFrameViolation = ExecProtocolViolation(
        .unsupportedData, "text frames are not supported; send binary frames that start with a channel byte")

    /// Server frames carrying `bytes` on `channel`, split so no frame exceeds `maximumPayload`.
    static func frames(_ channel: ExecChannel, _ bytes: [UInt8]) -> [ByteBuffer] {
        if bytes.isEmpty { return [frame(channel, bytes[...])] }
        var frames: [ByteBuffer] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + maximumPayload)
            frames.append(frame(channel, bytes[start..<end]))
            start = end
        }
        return frames
    }

    /// One server frame.
    static func frame(_ channel: ExecChannel, _ payload: ArraySlice<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 1)
        buffer.writeInteger(channel.rawValue)
        buffer.writeBytes(payload)
        return buffer
    }
}
