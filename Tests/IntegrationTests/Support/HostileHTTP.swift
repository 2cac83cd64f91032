import CubicleTestSupport
import Foundation

/// Sends bytes no well-behaved client would (invalid UTF-8 in the request line, oversized
/// headers, conflicting framing) over a plain TCP socket and reads what comes back until the
/// server closes or `timeout` passes. Blocking socket calls run off the cooperative pool.
enum HostileHTTP {
    /// The status code of the first response line, or nil when the server closed without one.
    struct Answer: Sendable {
        let status: Int?
        let text: String
        /// True when the server answered or closed; false when our read timed out (a hang).
        let ended: Bool
    }

    static func exchange(_ bytes: [UInt8], port: Int, timeout: Double = 30) async throws -> Answer {
        try await blocking {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket failed") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw TestFailure("connect failed") }
            var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { break }  // the server may refuse and close before reading everything
                offset += sent
            }
            var received: [UInt8] = []
            var ended = false
            var buffer = [UInt8](repeating: 0, count: 65536)
            while received.count < 1 << 20 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { ended = true }
                if count <= 0 { break }
                received += buffer[..<count]
                // One complete response with a body length is enough.
                if let text = String(bytes: received, encoding: .utf8), let end = text.range(of: "\r\n\r\n"),
                   let length = text[..<end.lowerBound].split(separator: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-length:") })
                    .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                   text.utf8.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= length {
                    ended = true
                    break
                }
            }
            let text = String(decoding: received, as: UTF8.self)
            let status = text.hasPrefix("HTTP/1.1 ") ? Int(text.dropFirst(9).prefix(3)) : nil
            return Answer(status: status, text: text, ended: ended || errno == ECONNRESET)
        }
    }

    /// The port of a `http://host:port` URL.
    static func port(of url: String) -> Int { Int(url.split(separator: ":").last ?? "") ?? 0 }
}
