import CubicleTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.1 connection on a loopback socket, for what a client library will not do: cut
/// a request off mid-body, send bytes no client would, or read a response while it streams.
/// Every blocking socket call runs off the cooperative pool.
struct RawHTTP: Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` sets SO_RCVBUF first (a small TCP window
    /// for slow-reader tests).
    static func open(port: Int, receiveBuffer: Int32? = nil) async throws -> RawHTTP {
        try await blocking {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket failed: \(errno)") }
            if var size = receiveBuffer {
                _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                Glibc.close(fd)
                throw TestFailure("connect failed: \(errno)")
            }
            return RawHTTP(fd: fd)
        }
    }

    /// Sends every byte; throws when the peer stops taking them.
    func send(_ bytes: [UInt8]) async throws {
        let fd = self.fd
        try await blocking {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw TestFailure("send failed: \(errno)") }
                sent += n
            }
        }
    }

    /// What `receive` read, and whether the peer closed (or reset) the connection.
    struct Received: Sendable {
        let bytes: [UInt8]
        let closed: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Reads until `done` holds for what arrived, the peer closes, or `timeout` seconds pass.
    func receive(timeout: Double = 30, until done: @escaping @Sendable ([UInt8]) -> Bool) async throws -> Received {
        let fd = self.fd
        return try await blocking {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            let deadline = Date().addingTimeInterval(timeout)
            while !done(received) {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { break }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000) + 1)
                if ready < 0 && errno != EINTR { break }
                if ready <= 0 { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return Received(bytes: received, closed: true) }
                received += buffer[0..<n]
            }
            return Received(bytes: received, closed: false)
        }
    }

    /// Reads and discards everything until the peer closes or `timeout` seconds pass; answers
    /// how many bytes arrived and whether the peer closed (a large body without keeping it).
    func drain(timeout: Double) async throws -> (count: Int, closed: Bool) {
        let fd = self.fd
        return try await blocking {
            var count = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            let deadline = Date().addingTimeInterval(timeout)
            while deadline.timeIntervalSinceNow > 0 {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 1000)
                if ready < 0 && errno != EINTR { return (count, true) }
                if ready <= 0 { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return (count, true) }
                count += n
            }
            return (count, false)
        }
    }

    /// Reads until `marker` arrives (or the peer closes, or 30 s pass); answers what arrived.
    func receive(until marker: String) async throws -> String {
        try await receive { String(decoding: $0, as: UTF8.self).contains(marker) }.text
    }

    /// Half-closes: the server sees the end of the request stream.
    func shutdownWrite() async throws {
        let fd = self.fd
        try await blocking { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Closes the connection.
    func close() async {
        let fd = self.fd
        _ = try? await blocking { Glibc.close(fd) }
    }

    /// True once `bytes` hold one whole response whose body length is given by Content-Length.
    static func holdsCompleteResponse(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let length = text[..<end.lowerBound].split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        guard let length else { return false }
        return text.utf8.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= length
    }
}
