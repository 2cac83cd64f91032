import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Watches a set of directories with inotify and reports each batch of events. The inotify fd is
/// non-blocking and read by a Dispatch read source on its own serial queue, so nothing waits on
/// the cooperative pool. Only events that change content are asked for (no open/access), so the
/// loader reading the files does not wake itself up.
final class DirectoryMonitor: Sendable {
    private struct State: ~Copyable {
        var source: (any DispatchSourceRead)?
        /// Watched directory path → watch descriptor.
        var watches: [String: Int32] = [:]
        var closed = false
    }

    private let descriptor: Int32
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "cubicle.blueprints.inotify")

    /// Opens an inotify instance; `onEvents` receives the number of events of each batch.
    init(onEvents: @escaping @Sendable (Int) -> Void) throws(BlueprintError) {
        #if os(Linux)
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            throw BlueprintError.watch("inotify_init1 failed: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [descriptor] in
            let count = DirectoryMonitor.drain(descriptor)
            if count > 0 { onEvents(count) }
        }
        source.setCancelHandler { [descriptor] in _ = Glibc.close(descriptor) }
        source.resume()
        state = Mutex(State(source: source))
        #else
        throw BlueprintError.watch("watching a directory needs Linux inotify")
        #endif
    }

    deinit { close() }

    /// Makes the watched set exactly `directories` (adding new ones, dropping gone ones).
    /// Returns the directories that could not be watched.
    @discardableResult
    func watch(_ directories: [String]) -> [String] {
        #if os(Linux)
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        return state.withLock { state in
            guard !state.closed else { return directories }
            var failed: [String] = []
            let wanted = Set(directories)
            for (path, wd) in state.watches where !wanted.contains(path) {
                // Another path may share the inode (a symlinked directory); keep its watch.
                if !state.watches.contains(where: { $0.key != path && $0.value == wd && wanted.contains($0.key) }) {
                    _ = inotify_rm_watch(descriptor, wd)
                }
                state.watches[path] = nil
            }
            for path in directories {
                // Re-adding refreshes a watch the kernel dropped when the directory was replaced.
                let wd = inotify_add_watch(descriptor, path, mask)
                if wd >= 0 { state.watches[path] = wd } else { failed.append(path); state.watches[path] = nil }
            }
            return failed
        }
        #else
        return directories
        #endif
    }

    /// The directories currently watched.
    var watchedDirectories: Set<String> { state.withLock { Set($0.watches.keys) } }

    /// Stops watching and closes the inotify fd (once the read source has let go of it).
    func close() {
        let source: (any DispatchSourceRead)? = state.withLock { state in
            if state.closed { return nil }
            state.closed = true
            state.watches = [:]
            return state.source
        }
        source?.cancel()
    }

    /// Reads every pending event; returns how many there were.
    private static func drain(_ descriptor: Int32) -> Int {
        #if os(Linux)
        var count = 0
        let size = 64 * 1_024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let length = read(descriptor, buffer, size)
            if length <= 0 { return count }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= length {
                let nameLength = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                count += 1
                offset += header + nameLength
            }
        }
        #else
        return 0
        #endif
    }
}

extension BlueprintError {
    static func watch(_ message: String) -> BlueprintError {
        BlueprintError(kind: .watch, code: .internalError, blueprint: "", message: "cannot watch blueprints: \(message)")
    }
}
