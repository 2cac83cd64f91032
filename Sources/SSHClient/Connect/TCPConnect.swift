import Glibc

/// Non-blocking TCP connects whose outcome the caller polls for, so connect timeouts and
/// refusals are ours to report precisely (libssh's own connect would resolve names and block).
enum TCPConnect {
    /// The state right after `connect(2)`.
    enum Start {
        /// Connected at once (common on loopback).
        case connected(Int32)
        /// In progress: wait for the socket to become writable, then call `finish`.
        case inProgress(Int32)
    }

    /// Creates a non-blocking socket and starts connecting it.
    static func start(_ address: SocketAddress) throws(SSHError) -> Start {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(address.description, "socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.storage.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc == 0 { return .connected(fd) }
        let code = errno
        if code == EINPROGRESS || code == EINTR { return .inProgress(fd) }
        close(fd)
        throw error(code, address.description)
    }

    /// The pending error of a socket whose connect has completed (0 on success).
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Connects and waits up to `timeout` seconds, blocking the calling (dedicated) thread.
    static func connectBlocking(_ address: SocketAddress, timeout: Double) throws(SSHError) -> Int32 {
        let fd: Int32
        switch try start(address) {
        case .connected(let connected): return connected
        case .inProgress(let pending): fd = pending
        }
        let deadline = Monotonic.now() + timeout
        while true {
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 {
                close(fd)
                throw .connectTimeout(address.description, after: timeout, stage: "TCP connect")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let rc = poll(&pfd, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if rc < 0 && errno == EINTR { continue }
            if rc <= 0 { continue }
            let code = pendingError(fd)
            if code == 0 { return fd }
            close(fd)
            throw error(code, address.description)
        }
    }

    /// Maps a connect errno to the error the API reports.
    static func error(_ code: Int32, _ endpoint: String) -> SSHError {
        switch code {
        case ECONNREFUSED: .connectionRefused(endpoint)
        case ETIMEDOUT: .connectTimeout(endpoint, after: 0, stage: "TCP connect").withMessage(
            "TCP connect to \(endpoint) timed out")
        default: .unreachable(endpoint, String(cString: strerror(code)))
        }
    }
}
