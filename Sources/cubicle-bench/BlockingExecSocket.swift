import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A kubectl exec WebSocket on a plain blocking TCP socket, driven by one dedicated thread: the
/// Cubicle counterpart of the `ssh` child the latency reference reads and writes through pipes.
/// It keeps the client's own scheduling out of a round trip that is meant to measure the server
/// (an async client adds its event loop and task hops on both ends). Never call it on the
/// cooperative pool; run it under `Offload.run`.
final class BlockingExecSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    private init(fd: Int32, leftover: [UInt8]) {
        self.fd = fd
        buffer = leftover
    }

    deinit { Glibc.close(fd) }

    /// Connects to a `ws://host:port/path?query` URL and completes the upgrade.
    static func connect(url: String, token: String) throws -> BlockingExecSocket {
        guard let parsed = URLComponents(string: url), let host = parsed.host, let port = parsed.port else {
            throw BenchError("not a ws://host:port URL: \(url)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw BenchError("not an IPv4 address: \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw BenchError("connect to \(host):\(port) failed: errno \(errno)")
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let socket = BlockingExecSocket(fd: fd, leftover: [])
        let path = parsed.percentEncodedPath + (parsed.percentEncodedQuery.map { "?" + $0 } ?? "")
        try socket.upgrade(path: path, host: "\(host):\(port)", token: token)
        return socket
    }

    private func upgrade(path: String, host: String, token: String) throws {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n"
            + "Authorization: Bearer \(token)\r\nUser-Agent: cubicle-bench\r\n\r\n"
        try sendAll(Array(request.utf8))
        let terminator: [UInt8] = [13, 10, 13, 10]
        while buffer.firstRange(of: terminator) == nil {
            guard try receive() else { throw BenchError("the server closed during the WebSocket upgrade") }
        }
        let end = buffer.firstRange(of: terminator)!.upperBound
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end)
        guard head.hasPrefix("HTTP/1.1 101") else { throw BenchError("the upgrade was refused: \(head.prefix(200))") }
    }

    /// Sends stdin bytes as one masked binary frame.
    func stdin(_ bytes: [UInt8]) throws { try send(opcode: 0x2, ExecFrame.stdin(bytes).encoded) }

    /// The next exec frame; nil once the server sent its close frame (answered) or closed.
    func next() throws -> ExecFrame? {
        while true {
            if let (opcode, payload) = try takeFrame() {
                switch opcode {
                case 0x2:
                    if let frame = ExecFrame(decoding: payload) { return frame }
                case 0x8:
                    try? send(opcode: 0x8, Array(payload.prefix(2)))
                    return nil
                case 0x9:
                    try send(opcode: 0xA, payload)
                default:
                    continue
                }
                continue
            }
            guard try receive() else { return nil }
        }
    }

    /// Waits until stdout carried `marker`.
    func waitFor(_ marker: [UInt8]) throws {
        var seen: [UInt8] = []
        while let frame = try next() {
            if case .stdout(let bytes) = frame { seen += bytes }
            if seen.firstRange(of: marker) != nil { return }
        }
        throw BenchError("the socket closed before the program printed its marker")
    }

    /// One whole server frame from the buffer (servers never mask), or nil when incomplete.
    private func takeFrame() throws -> (UInt8, [UInt8])? {
        guard buffer.count >= 2 else { return nil }
        let opcode = buffer[0] & 0x0F
        var length = Int(buffer[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard buffer[1] & 0x80 == 0 else { throw BenchError("the server sent a masked frame") }
        guard buffer.count >= offset + length else { return nil }
        let payload = Array(buffer[offset..<(offset + length)])
        buffer.removeFirst(offset + length)
        return (opcode, payload)
    }

    private func send(opcode: UInt8, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case 0..<126: frame.append(0x80 | UInt8(payload.count))
        case 126...0xFFFF: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> (8 * $0)) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        try sendAll(frame)
    }

    private func sendAll(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("send failed: errno \(errno)")
            }
            sent += count
        }
    }

    /// Reads what the kernel has; false at the end of the connection.
    private func receive() throws -> Bool {
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw BenchError("recv failed: errno \(errno)") }
            if count == 0 { return false }
            buffer += scratch[0..<count]
            return true
        }
    }
}
