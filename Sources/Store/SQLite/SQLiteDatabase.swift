import Foundation
import Glibc

/// Tuning for the SQLite engine.
public struct SQLiteConfiguration: Sendable, Hashable {
    /// How long a statement waits for another process's lock before failing, in seconds.
    public var busyTimeout: Double
    /// How many reader connections (each on its own thread) serve reads next to the one writer.
    public var readerCount: Int

    /// The defaults: 5 s busy timeout, two readers.
    public init(busyTimeout: Double = 5, readerCount: Int = 2) {
        self.busyTimeout = busyTimeout
        self.readerCount = readerCount
    }
}

/// A SQLite file served by one writer thread and a small pool of reader threads.
///
/// WAL mode lets the readers see the last committed state while the writer works, and keeps all
/// writes of this process in one queue, so they never contend with each other for the lock.
final class SQLiteDatabase: Sendable {
    /// The database file.
    let path: String
    private let writer: SQLiteWorkerPool
    private let readers: SQLiteWorkerPool

    private init(path: String, writer: SQLiteWorkerPool, readers: SQLiteWorkerPool) {
        self.path = path
        self.writer = writer
        self.readers = readers
    }

    deinit {
        readers.shutdownDetached()
        writer.shutdownDetached()
    }

    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    static func open(
        path: String,
        configuration: SQLiteConfiguration = SQLiteConfiguration(),
        migrations: [SQLiteMigration]
    ) async throws -> SQLiteDatabase {
        let timeout = configuration.busyTimeout
        let writer = try await SQLiteWorkerPool.start(name: "cubicle-sqlite-writer", count: 1) {
            try createFileIfMissing(path)
            let connection = try SQLiteConnection.open(path: path, create: true, busyTimeout: timeout)
            try configureWriter(connection)
            return connection
        }
        let readers: SQLiteWorkerPool
        do {
            try await writer.submit { connection in
                _ = try SQLiteMigrator.migrate(connection, to: migrations)
            }
            readers = try await SQLiteWorkerPool.start(name: "cubicle-sqlite-reader", count: configuration.readerCount) {
                let connection = try SQLiteConnection.open(path: path, create: false, busyTimeout: timeout)
                try connection.execute("PRAGMA query_only = ON")
                return connection
            }
        } catch {
            await writer.shutdown()
            throw error
        }
        return SQLiteDatabase(path: path, writer: writer, readers: readers)
    }

    /// Runs `body` on the writer inside `BEGIN IMMEDIATE … COMMIT`; a throw rolls everything back.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.submit { connection in
            try connection.transaction(.immediate) { try body(connection) }
        }
    }

    /// Runs `body` on a reader inside one read transaction, so every query sees the same snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await readers.submit { connection in
            try connection.transaction(.deferred) { try body(connection) }
        }
    }

    /// Runs `body` on the writer outside any transaction (maintenance, tests).
    func withWriterConnection<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.submit(body)
    }

    /// Finishes queued work and closes every connection; the writer goes last so it can checkpoint the WAL.
    func close() async {
        await readers.shutdown()
        await writer.shutdown()
    }

    /// Sets the writer's pragmas. They are per connection except `journal_mode`, which the file keeps.
    private static func configureWriter(_ connection: SQLiteConnection) throws {
        // WAL: readers never block the writer nor the writer the readers, and a commit is one
        // append to the log instead of a rollback-journal dance.
        guard let mode = try connection.queryFirst("PRAGMA journal_mode = WAL"),
            try mode.get(0, as: String.self).lowercased() == "wal"
        else {
            throw StoreError.internalError("the database at \(connection.path) cannot use WAL journaling (is it on a network file system?)")
        }
        // NORMAL in WAL mode syncs at checkpoints rather than at every commit. An application crash
        // loses nothing; a power cut can lose the last commits but never corrupts the file. For jobs,
        // sessions and tokens that trade is right: FULL would cost an fsync per job event.
        try connection.execute("PRAGMA synchronous = NORMAL")
        try connection.execute("PRAGMA foreign_keys = ON")
    }

    /// Creates the file with mode 0600 before SQLite does, because SQLite would honour the umask
    /// (usually 0644) and the file holds token hashes and sealed secrets.
    private static func createFileIfMissing(_ path: String) throws {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return }
            throw StoreError.internalError("cannot create the database file \(path): \(String(cString: strerror(code)))")
        }
        defer { Glibc.close(fd) }
        // The umask may have removed bits from 0600; SQLite copies this mode to the -wal and -shm files.
        guard fchmod(fd, 0o600) == 0 else {
            throw StoreError.internalError("cannot set mode 0600 on \(path): \(String(cString: strerror(errno)))")
        }
    }
}
