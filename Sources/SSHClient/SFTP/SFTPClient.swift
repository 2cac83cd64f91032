import CLibSSH
import Foundation
import Synchronization

/// SFTP to one target through a small pool of worker threads, each with its own blocking SSH
/// session (separate from the shell reactor). Metadata calls go to the least busy worker;
/// downloads and uploads stay on the worker that opened the file. Paths may be absolute,
/// `~`, `~/…` or relative to the login directory.
public final class SFTPClient: Sendable {
    /// Where the client connects.
    public let target: SSHTarget
    /// Tuning.
    public let configuration: SFTPConfiguration
    private struct State {
        var workers: [SFTPWorker] = []
        var home: String?
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(0)

    /// Creates a client; connections open on first use.
    public init(target: SSHTarget, configuration: SFTPConfiguration = SFTPConfiguration()) {
        self.target = target
        self.configuration = configuration
    }

    // MARK: Metadata

    /// Attributes of `path`, following symlinks.
    public func stat(_ path: String) async throws -> SFTPFileInfo {
        let resolved = try await resolve(path)
        return try await perform { _, connection throws(SSHError) in try connection.stat(resolved) }
    }

    /// Attributes of `path` itself (a symlink is reported as such).
    public func lstat(_ path: String) async throws -> SFTPFileInfo {
        let resolved = try await resolve(path)
        return try await perform { _, connection throws(SSHError) in try connection.lstat(resolved) }
    }

    /// The canonical absolute form of `path` as the server resolves it.
    public func realpath(_ path: String) async throws -> String {
        let resolved = try await resolve(path)
        return try await perform { _, connection throws(SSHError) in try connection.realpath(resolved) }
    }

    /// The login (home) directory: the server's answer for `.` right after login.
    public func homeDirectory() async throws -> String {
        if let home = state.withLock({ $0.home }) { return home }
        let home = try await perform { _, connection throws(SSHError) in try connection.realpath(".") }
        state.withLock { $0.home = home }
        return home
    }

    /// `path` made absolute: `~` and `~/x` are under the home directory, relative paths too.
    public func resolve(_ path: String) async throws -> String {
        guard !path.isEmpty, !path.contains("\0") else {
            throw SSHError.invalidArgument("'\(path)' is not a valid path")
        }
        if path.hasPrefix("/") { return path }
        let home = try await homeDirectory()
        if path == "~" { return home }
        let relative = path.hasPrefix("~/") ? String(path.dropFirst(2)) : path
        if path.hasPrefix("~") && !path.hasPrefix("~/") {
            throw SSHError.invalidArgument("'\(path)': only the login user's home (~) can be named")
        }
        return SFTPConnection.join(home, relative)
    }

    /// The entries of a directory (hidden ones included, `.` and `..` not), sorted by name.
    public func list(_ directory: String) async throws -> [SFTPFileInfo] {
        let resolved = try await resolve(directory)
        return try await perform { _, connection throws(SSHError) in try connection.list(resolved) }
    }

    /// Creates a directory; with `intermediate` also its missing parents (`mkdir -p`), and an
    /// existing directory is not an error.
    public func makeDirectory(_ path: String, mode: UInt32 = 0o755, intermediate: Bool = false) async throws {
        let resolved = try await resolve(path)
        try await perform { _, connection throws(SSHError) in
            if intermediate {
                try connection.makeDirectories(resolved, mode: mode)
            } else {
                try connection.makeDirectory(resolved, mode: mode)
            }
        }
    }

    /// Removes a file or an empty directory; with `recursive` a whole tree.
    public func remove(_ path: String, recursive: Bool = false) async throws {
        let resolved = try await resolve(path)
        guard resolved != "/" else { throw SSHError.invalidArgument("refusing to remove /") }
        try await perform { _, connection throws(SSHError) in try connection.remove(resolved, recursive: recursive) }
    }

    /// Renames atomically, replacing an existing `destination` (POSIX `rename`).
    public func rename(_ source: String, to destination: String) async throws {
        let from = try await resolve(source)
        let to = try await resolve(destination)
        try await perform { _, connection throws(SSHError) in try connection.rename(from, to: to) }
    }

    /// Sets permission bits.
    public func chmod(_ path: String, mode: UInt32) async throws {
        let resolved = try await resolve(path)
        try await perform { _, connection throws(SSHError) in try connection.chmod(resolved, mode: mode) }
    }

    /// Capacity of the file system holding `path`.
    public func statvfs(_ path: String) async throws -> SFTPFileSystemInfo {
        let resolved = try await resolve(path)
        return try await perform { _, connection throws(SSHError) in try connection.statvfs(resolved) }
    }

    /// Stops the workers and waits for them; connections close and queued work fails with `shut_down`.
    public func shutdown() async {
        let workers: [SFTPWorker] = state.withLock { state in
            state.isShutDown = true
            let workers = state.workers
            state.workers = []
            return workers
        }
        for worker in workers { await worker.stop() }
    }

    /// Connects up to `count` sessions (capped by `maxSessions`) in the background, each with a
    /// write channel ready, so parallel transfers about to start do not each wait for an SSH
    /// handshake. Best effort: a failure here surfaces in the transfer that needs the session.
    public func prepare(sessions count: Int) {
        let started: [SFTPWorker] = state.withLock { state in
            guard !state.isShutDown else { return [] }
            state.workers.removeAll { $0.hasExited }
            var started: [SFTPWorker] = []
            while state.workers.count < min(count, max(1, configuration.maxSessions)) {
                let worker = SFTPWorker(target: target, configuration: configuration)
                worker.start()
                state.workers.append(worker)
                started.append(worker)
            }
            return started
        }
        for worker in started {
            _ = worker.post { context in
                guard let connection = try? context.connectionForJob(),
                      let channel = try? connection.takeWriteChannel() else { return }
                connection.returnWriteChannel(channel)
            }
        }
    }

    // MARK: Workers

    func makeID() -> UInt64 { nextID.add(1, ordering: .relaxed).newValue }

    /// Runs `body` on a worker with a healthy connection (reconnecting if needed).
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (SFTPWorkerContext, SFTPConnection) throws(SSHError) -> T
    ) async throws -> T {
        while true {
            let worker = try pickWorker()
            let outcome = await run(on: worker) { context throws(SSHError) in
                try body(context, try context.connectionForJob())
            }
            if let outcome { return try outcome.get() }
        }
    }

    /// Runs `body` on the worker that holds an open file (never reconnecting: the file lived
    /// on the old connection).
    func performBound<T: Sendable>(
        on worker: SFTPWorker, _ body: @escaping @Sendable (SFTPWorkerContext) throws(SSHError) -> T
    ) async throws -> T {
        guard let outcome = await run(on: worker, body) else {
            throw SSHError.channelClosed("the SFTP worker holding this file has stopped")
        }
        return try outcome.get()
    }

    private func run<T: Sendable>(
        on worker: SFTPWorker, _ body: @escaping @Sendable (SFTPWorkerContext) throws(SSHError) -> T
    ) async -> Result<T, SSHError>? {
        await withCheckedContinuation { continuation in
            let posted = worker.post { context in
                do throws(SSHError) {
                    continuation.resume(returning: .success(try body(context)))
                } catch {
                    context.noteFailure(error)
                    continuation.resume(returning: .failure(error))
                }
            }
            if !posted { continuation.resume(returning: nil) }
        }
    }

    /// The least busy worker, starting a new one while the busiest are occupied and the limit
    /// allows.
    private func pickWorker() throws(SSHError) -> SFTPWorker {
        let result: Result<SFTPWorker, SSHError> = state.withLock { state in
            if state.isShutDown { return .failure(.shutDown("the SFTP client")) }
            state.workers.removeAll { $0.hasExited }
            let best = state.workers.min { $0.load < $1.load }
            if let best, best.load == 0 || state.workers.count >= max(1, configuration.maxSessions) {
                return .success(best)
            }
            let worker = SFTPWorker(target: target, configuration: configuration)
            worker.start()
            state.workers.append(worker)
            return .success(worker)
        }
        return try result.get()
    }
}
