#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// Blocking file primitives for the persister and key store: a write goes to a temporary file in
/// the same directory, is flushed to disk, then renamed over the target, so a crash leaves either
/// the old or the new content, never a mix. Call only from a dedicated thread, never an event loop.
enum AtomicFile {
    /// Replaces `path` with `bytes` atomically, with permissions `mode`.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(LocalClusterError) {
        let temporary = "\(path).tmp-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return systemWrite(descriptor, base + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let error = failure("write \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += result
        }
        if fsync(descriptor) != 0 {
            let error = failure("sync \(temporary)")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = failure("rename \(temporary)")
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// The content of `path`, or nil when it does not exist.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func read(_ path: String) throws(LocalClusterError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure("open \(path)")
        }
        defer { close(descriptor) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read \(path)")
            }
            if count == 0 { return content }
            content.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates `path` and its parents with `mode` when missing.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(LocalClusterError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0, errno != EEXIST { throw failure("create directory \(prefix)") }
        }
    }

    /// Removes leftover temporary files of `path` from an interrupted write.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func removeStaleTemporaries(of path: String) {
        let directory = parent(of: path)
        let base = String(path.split(separator: "/").last ?? "")
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(base + ".tmp-") { unlink(directory + "/" + name) }
        }
    }

    private static func syncDirectory(of path: String) {
        let descriptor = open(parent(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    private static func failure(_ action: String) -> LocalClusterError {
        let reason = String(cString: strerror(errno))
        return .setup("cannot \(action): \(reason)")
    }
}
