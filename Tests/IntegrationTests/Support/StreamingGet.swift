import CubicleTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A streamed HTTP/1.1 GET on a plain socket (Foundation on Linux cannot read a response while
/// it is still coming): reads until `until` holds for the text so far or `timeout` passes, then
/// hangs up — the way a client leaves a follow.
enum StreamingGet {
    /// The raw response so far (headers and chunked body) when `until` held or time ran out.
    static func read(
        port: Int, path: String, token: String, timeout: Double = 30, until: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        try await blocking {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw TestFailure("connect: \(errno)") }
            var interval = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count == 0 { break }
                if count > 0 {
                    received += buffer[0..<count]
                    if until(String(decoding: received, as: UTF8.self)) { break }
                }
            }
            return String(decoding: received, as: UTF8.self)
        }
    }
}
