import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A local file (or stdin/stdout) for transfers. Every read and write runs on NIO's blocking
/// thread pool, never on the cooperative pool.
public final class LocalFile: Sendable {
    /// The descriptor.
    let descriptor: Int32
    /// The size when it is a regular file.
    public let size: Int64?
    /// The path (`-` for stdin or stdout).
    public let path: String
    /// Seconds since the epoch of the last change (regular files).
    public let modified: Int64?
    private let owned: Bool

    private init(descriptor: Int32, size: Int64?, path: String, modified: Int64?, owned: Bool) {
        self.descriptor = descriptor
        self.size = size
        self.path = path
        self.modified = modified
        self.owned = owned
    }

    /// An open descriptor (a pipe to a local program); closed by `close()` when `owned`.
    public static func wrapping(descriptor: Int32, owned: Bool) -> LocalFile {
        LocalFile(descriptor: descriptor, size: nil, path: "fd \(descriptor)", modified: nil, owned: owned)
    }

    /// This process's stderr.
    public static let standardError = LocalFile(descriptor: 2, size: nil, path: "-", modified: nil, owned: false)

    /// Opens `path` for reading (`-`: stdin).
    public static func openForReading(_ path: String) async throws -> LocalFile {
        if path == "-" { return LocalFile(descriptor: 0, size: nil, path: path, modified: nil, owned: false) }
        return try await blocking {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ClientError.local("cannot open \(path): \(String(cString: strerror(errno)))") }
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                Glibc.close(fd)
                throw ClientError.local("cannot stat \(path)")
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                Glibc.close(fd)
                throw ClientError.invalid("\(path) is not a regular file (use -r for directories)")
            }
            return LocalFile(descriptor: fd, size: Int64(info.st_size), path: path, modified: Int64(info.st_mtim.tv_sec), owned: true)
        }
    }

    /// Opens `path` for writing (`-`: stdout); `append` keeps what is there (a resumed download).
    public static func openForWriting(_ path: String, append: Bool) async throws -> LocalFile {
        if path == "-" { return LocalFile(descriptor: 1, size: nil, path: path, modified: nil, owned: false) }
        return try await blocking {
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
            guard fd >= 0 else { throw ClientError.local("cannot write \(path): \(String(cString: strerror(errno)))") }
            var info = stat()
            fstat(fd, &info)
            return LocalFile(descriptor: fd, size: Int64(info.st_size), path: path, modified: nil, owned: true)
        }
    }

    /// Reads up to `count` bytes at `offset` (at the current position for a stream); empty at the end.
    public func read(at offset: Int64?, count: Int) async throws -> ByteBuffer {
        let fd = descriptor
        return try await Self.blocking {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(count)
            var filled = 0
            while filled < count {
                let got = buffer.withUnsafeMutableWritableBytes { raw -> Int in
                    let target = raw.baseAddress! + 0
                    if let offset { return pread(fd, target, count - filled, off_t(offset) + off_t(filled)) }
                    return Glibc.read(fd, target, count - filled)
                }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw ClientError.local("cannot read: \(String(cString: strerror(errno)))")
                }
                if got == 0 { break }
                buffer.moveWriterIndex(forwardBy: got)
                filled += got
                if offset == nil { break }
            }
            return buffer
        }
    }

    /// Writes all of `buffer`.
    public func write(_ buffer: ByteBuffer) async throws {
        let fd = descriptor
        try await Self.blocking {
            try buffer.withUnsafeReadableBytes { raw in
                var done = 0
                while done < raw.count {
                    let wrote = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                    if wrote < 0 {
                        if errno == EINTR { continue }
                        throw ClientError.local("cannot write: \(String(cString: strerror(errno)))")
                    }
                    done += wrote
                }
            }
        }
    }

    /// Flushes to disk (regular files).
    public func sync() async throws {
        let fd = descriptor
        try await Self.blocking { _ = fsync(fd) }
    }

    /// Closes the descriptor (stdin and stdout stay open).
    public func close() async {
        guard owned else { return }
        let fd = descriptor
        _ = try? await Self.blocking { Glibc.close(fd) }
    }

    /// Runs blocking file work on NIO's thread pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
