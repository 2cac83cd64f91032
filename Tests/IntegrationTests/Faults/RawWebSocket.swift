import CubicleTestSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a bare socket, for what a well-behaved client library refuses to do:
/// text frames with invalid UTF-8, unmasked or oversized frames, frames after a close, a
/// handshake left half-sent, or a reader that deliberately stops reading. Every blocking socket
/// call runs off the cooperative pool.
final class RawWebSocket: Sendable {
    /// One frame from the server (server frames are never masked).
    struct Frame: Sendable {
        let fin: Bool
        let opcode: UInt8
        let payload: [UInt8]

        /// The close code of a close frame.
        var closeCode: UInt16? {
            opcode == 0x8 && payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
        }

        /// The close reason of a close frame.
        var closeReason: String { opcode == 0x8 ? String(decoding: payload.dropFirst(2), as: UTF8.self) : "" }
    }

    /// What `next` saw.
    enum Event: Sendable {
        case frame(Frame)
        /// The server closed (or reset) the TCP connection.
        case closed
        /// Nothing arrived in time.
        case timedOut
    }

    let connection: RawHTTP
    /// The status line and headers of the handshake answer.
    let head: String
    private let parser: Mutex<FrameParser>
    private let writing = Mutex(())

    private init(connection: RawHTTP, head: String, leftover: [UInt8]) {
        self.connection = connection
        self.head = head
        var parser = FrameParser()
        parser.feed(leftover[...])
        self.parser = Mutex(parser)
    }

    /// The HTTP status of the handshake answer (101 when upgraded).
    var status: Int? { head.hasPrefix("HTTP/1.1 ") ? Int(head.dropFirst(9).prefix(3)) : nil }

    /// The handshake request for `path`; without a `token` no `Authorization` header is sent
    /// (a browser passes its token as a subprotocol instead).
    static func handshake(path: String, token: String?, userAgent: String, protocols: [String] = ["v5.channel.k8s.io"]) -> [UInt8] {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        request += "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        if !protocols.isEmpty { request += "Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))\r\n" }
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "User-Agent: \(userAgent)\r\n\r\n"
        return Array(request.utf8)
    }

    /// Connects and performs the handshake; `receiveBuffer` shrinks the socket's receive buffer
    /// (set before connecting so the TCP window stays small) for slow-reader tests.
    static func connect(
        port: Int, path: String, token: String?, userAgent: String, protocols: [String] = ["v5.channel.k8s.io"], receiveBuffer: Int32? = nil
    ) async throws -> RawWebSocket {
        let connection = try await RawHTTP.open(port: port, receiveBuffer: receiveBuffer)
        do {
            try await connection.send(handshake(path: path, token: token, userAgent: userAgent, protocols: protocols))
            let received = try await connection.receive(timeout: 60) { bytes in
                bytes.count >= 4 && (0...(bytes.count - 4)).contains { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
            }
            let bytes = received.bytes
            guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 })
            else { throw TestFailure("no handshake answer: \(received.text.prefix(300))") }
            return RawWebSocket(connection: connection, head: String(decoding: bytes[..<end], as: UTF8.self), leftover: Array(bytes[(end + 4)...]))
        } catch {
            await connection.close()
            throw error
        }
    }

    /// One client frame; `mask` nil masks with zeros (a valid key that leaves big payloads as they are).
    static func encode(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, mask: [UInt8]? = nil) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0..<126: frame.append(maskBit | UInt8(payload.count))
        case 126...0xFFFF: frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame += [maskBit | 127] + (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        guard masked else { return frame + payload }
        let key = mask ?? (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += key
        if key == [0, 0, 0, 0] { return frame + payload }
        return frame + payload.enumerated().map { $0.element ^ key[$0.offset & 3] }
    }

    /// Sends one frame.
    func send(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) async throws {
        try await sendRaw(Self.encode(opcode: opcode, payload, fin: fin))
    }

    /// Sends a binary kubectl-exec frame: `channel` then `bytes`.
    func send(channel: UInt8, _ bytes: [UInt8]) async throws { try await send(opcode: 0x2, [channel] + bytes) }

    /// Sends bytes as they are.
    func sendRaw(_ bytes: [UInt8]) async throws {
        try await blocking { [self] in try self.sendNow(bytes) }
    }

    /// Sends every byte from the calling thread; one frame at a time, so a pong the reader sends
    /// never lands inside a frame a writer on another thread is sending.
    private func sendNow(_ bytes: [UInt8]) throws {
        let fd = connection.fd
        try writing.withLock { _ in
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw TestFailure("send failed: \(errno)") }
                sent += n
            }
        }
    }

    /// The next server frame, or that the connection closed, or that `timeout` passed.
    func next(timeout: Double = 30) async throws -> Event {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            // Frames already read are handed out without a trip to a blocking thread.
            while let frame = parser.withLock({ $0.next() }) {
                // Answer pings (the server pings every 20 s and closes 1001 without a pong).
                guard frame.opcode == 0x9 else { return .frame(frame) }
                try? await send(opcode: 0xA, frame.payload)
            }
            if let end = try await receive(until: deadline) { return end }
        }
    }

    /// Waits for bytes and feeds them to the parser; nil once some arrived, else how the wait ended.
    private func receive(until deadline: Date) async throws -> Event? {
        let fd = connection.fd
        return try await blocking { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { return .timedOut }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000) + 1)
                if ready < 0 && errno != EINTR { return .closed }
                if ready <= 0 { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return .closed }
                self.parser.withLock { $0.feed(buffer[0..<n]) }
                return nil
            }
        }
    }

    /// How a connection ended: the data frames before, the server's close frame, and whether
    /// the TCP connection closed.
    struct Ending: Sendable {
        var frames: [Frame] = []
        var close: Frame?
        var socketClosed = false

        /// The close code, if the server sent a close frame.
        var closeCode: UInt16? { close?.closeCode }
        /// The close reason.
        var closeReason: String { close?.closeReason ?? "" }
        /// Bytes the server sent on `channel`.
        func output(_ channel: UInt8) -> String {
            String(decoding: frames.filter { $0.opcode == 0x2 && $0.payload.first == channel }.flatMap { $0.payload.dropFirst() }, as: UTF8.self)
        }
    }

    /// Reads until the server's close frame and the end of the connection (answering the close
    /// as a client must), or until `timeout` passes.
    func ending(timeout: Double = 60) async throws -> Ending {
        var ending = Ending()
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            switch try await next(timeout: deadline.timeIntervalSinceNow) {
            case .frame(let frame) where frame.opcode == 0x8:
                if ending.close == nil {
                    ending.close = frame
                    try? await send(opcode: 0x8, Array(frame.payload.prefix(2)))
                }
            case .frame(let frame):
                ending.frames.append(frame)
            case .closed:
                ending.socketClosed = true
                return ending
            case .timedOut:
                return ending
            }
        }
        return ending
    }

    /// Reads stdout until it contains `text` (or the connection ends, or `timeout` passes).
    func waitForOutput(_ text: String, timeout: Double = 30) async throws -> Bool {
        var seen: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard case .frame(let frame) = try await next(timeout: deadline.timeIntervalSinceNow) else { return false }
            if frame.opcode == 0x2, frame.payload.first == 1 { seen += frame.payload.dropFirst() }
            if String(decoding: seen, as: UTF8.self).contains(text) { return true }
        }
        return false
    }

    /// Bytes the kernel holds for us, unread (how full our receive window is).
    func unreadBytes() -> Int {
        var count: Int32 = 0
        _ = ioctl(connection.fd, UInt(FIONREAD), &count)
        return Int(count)
    }

    /// Shuts the connection down both ways without closing the descriptor: a read blocked on it
    /// returns at once, and the server sees the client vanish.
    func shutdown() async {
        let fd = connection.fd
        _ = try? await blocking { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Closes the socket.
    func close() async { await connection.close() }
}

/// Splits a byte stream into WebSocket frames.
struct FrameParser: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    mutating func feed(_ bytes: ArraySlice<UInt8>) { buffer += bytes }

    mutating func next() -> RawWebSocket.Frame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let first = buffer[start]
        let second = buffer[start + 1]
        var length = Int(second & 0x7F)
        var header = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            header = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = (0..<8).reduce(0) { $0 << 8 | Int(buffer[start + 2 + $1]) }
            header = 10
        }
        if second & 0x80 != 0 { header += 4 }
        guard available >= header + length else { return nil }
        let payload = Array(buffer[(start + header)..<(start + header + length)])
        start += header + length
        if start >= 1 << 20 || start == buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return RawWebSocket.Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }
}
