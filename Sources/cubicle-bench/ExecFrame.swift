/// One binary message of the kubectl exec WebSocket framing (`v5.channel.k8s.io`): the first
/// byte is the channel, the rest the payload.
enum ExecFrame: Sendable, Equatable {
    /// Client → server input (channel 0).
    case stdin([UInt8])
    /// Program output (channel 1).
    case stdout([UInt8])
    /// Program errors (channel 2).
    case stderr([UInt8])
    /// The `metav1.Status` JSON the server sends once the program ended (channel 3).
    case status([UInt8])
    /// A terminal size (channel 4).
    case resize(cols: Int, rows: Int)
    /// v5: the client closes one of its streams (`[255, channel]`).
    case close(channel: UInt8)
    /// A channel this client does not know; kept so a decoder never loses a frame silently.
    case unknown(channel: UInt8, payload: [UInt8])

    /// The bytes of this frame on the wire.
    var encoded: [UInt8] {
        switch self {
        case .stdin(let payload): [0] + payload
        case .stdout(let payload): [1] + payload
        case .stderr(let payload): [2] + payload
        case .status(let payload): [3] + payload
        case .resize(let cols, let rows): [4] + Array(#"{"Width":\#(cols),"Height":\#(rows)}"#.utf8)
        case .close(let channel): [255, channel]
        case .unknown(let channel, let payload): [channel] + payload
        }
    }

    /// Decodes a binary message; nil for an empty one (which the protocol says to ignore).
    init?<Bytes: Collection<UInt8>>(decoding message: Bytes) {
        guard let channel = message.first else { return nil }
        let payload = Array(message.dropFirst())
        switch channel {
        case 0: self = .stdin(payload)
        case 1: self = .stdout(payload)
        case 2: self = .stderr(payload)
        case 3: self = .status(payload)
        case 255 where payload.count == 1: self = .close(channel: payload[0])
        default: self = .unknown(channel: channel, payload: payload)
        }
    }

    /// Whether a status payload reports success (`"status":"Success"`).
    static func isSuccess(status payload: [UInt8]) -> Bool {
        String(decoding: payload, as: UTF8.self).contains(#""status":"Success""#)
    }
}
