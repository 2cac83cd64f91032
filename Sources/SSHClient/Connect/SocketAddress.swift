import Foundation
import Glibc

/// A resolved TCP endpoint, kept as raw `sockaddr` bytes so it can cross threads.
struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    let family: Int32
    let storage: [UInt8]
    /// `127.0.0.1:22` or `[::1]:22`.
    let description: String

    /// Resolves `host` without touching DNS; nil when it is not a numeric address.
    static func numeric(host: String, port: Int) -> SocketAddress? {
        try? resolve(host: host, port: port, flags: AI_NUMERICHOST | AI_NUMERICSERV)
    }

    /// Resolves a numeric address at once, or a name on a short-lived thread so no reactor
    /// thread or cooperative-pool thread ever blocks in `getaddrinfo`.
    static func resolve(host: String, port: Int) async throws(SSHError) -> SocketAddress {
        if let address = numeric(host: host, port: port) { return address }
        let result: Result<SocketAddress, SSHError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(SSHError) {
                    continuation.resume(returning: .success(try resolve(host: host, port: port, flags: AI_NUMERICSERV)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "cubicle-ssh-resolve"
            thread.start()
        }
        return try result.get()
    }

    /// Blocking resolution, for threads that may block (SFTP workers).
    static func resolveBlocking(host: String, port: Int) throws(SSHError) -> SocketAddress {
        if let address = numeric(host: host, port: port) { return address }
        return try resolve(host: host, port: port, flags: AI_NUMERICSERV)
    }

    private static func resolve(host: String, port: Int, flags: Int32) throws(SSHError) -> SocketAddress {
        guard (1...65_535).contains(port) else { throw .invalidArgument("port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = flags
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let detail = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            throw .unreachable(Self.display(host: host, port: port), "cannot resolve host: \(detail)")
        }
        defer { freeaddrinfo(list) }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        return SocketAddress(family: first.pointee.ai_family, storage: bytes, description: display(host: host, port: port))
    }

    /// `host:port`, bracketing IPv6 literals.
    static func display(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
