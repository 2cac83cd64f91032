#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small synchronous file helpers for `/proc`, cgroupfs and the runtime's own state files. They
/// block, so they are only called on the `RuntimeWorker` thread (or in synchronous tests).
enum FileIO {
    /// Reads a whole small file (procfs files report size 0, so this reads until EOF).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` with one `write` call (cgroupfs needs whole values); returns errno on failure.
    static func write(_ text: String, to path: String, flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC, mode: mode_t = 0o644) -> Int32? {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return nil
    }

    /// Writes a file atomically: a temporary sibling, fsync-free rename over the target.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t = 0o644) -> Int32? {
        let temporary = "\(path).tmp-\(getpid())"
        if let code = write(text, to: temporary, mode: mode) { return code }
        _ = chmod(temporary, mode)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            return code
        }
        return nil
    }

    /// The target of a symbolic link.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `mkdir -p`; returns errno on failure.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) -> Int32? {
        var current = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { return errno }
        }
        return nil
    }

    /// The names in a directory (without `.` and `..`), or nil when it cannot be read.
    static func list(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// What is at a path, without following a final symlink.
    enum Kind { case missing, directory, file, symlink, other }

    /// `lstat` summarized.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The canonical absolute path (symlinks resolved), or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
