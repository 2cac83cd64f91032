import CSQLite

/// How a transaction takes its locks.
enum SQLiteTransactionMode {
    /// Takes the write lock at `BEGIN`, so a read-then-write body cannot fail half way with `SQLITE_BUSY`.
    case immediate
    /// Takes locks as statements need them: a consistent snapshot for reads.
    case deferred
}

/// One SQLite connection. Not thread-safe: it lives and dies on the worker thread that opened it.
final class SQLiteConnection {
    private let handle: OpaquePointer
    /// The database file.
    let path: String
    private var statements: [String: SQLiteStatement] = [:]
    private var isOpen = true

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { close() }

    /// Opens `path`; `create` allows a new file. Extended result codes are always on.
    static func open(path: String, create: Bool, busyTimeout: Double) throws -> SQLiteConnection {
        var handle: OpaquePointer?
        // NOMUTEX: each connection is confined to one thread, so SQLite's own mutexes are dead weight.
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError(
                code: .internalError,
                message: "cannot open the database at \(path): \(message)",
                sqliteResultCode: rc
            )
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Int32(max(0, min(busyTimeout * 1000, Double(Int32.max)))))
        return SQLiteConnection(handle: handle, path: path)
    }

    /// Runs one or more statements without parameters (schema scripts, pragmas).
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        defer { sqlite3_free(errorMessage) }
        guard rc == SQLITE_OK else {
            let detail = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            throw Self.error(rc, detail: detail, path: path, context: "running a script")
        }
    }

    /// Runs a statement that returns no rows and answers how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [any SQLiteBindable] = []) throws -> Int {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a statement and collects every row.
    func query(_ sql: String, _ values: [any SQLiteBindable] = []) throws -> [SQLiteRow] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [SQLiteRow] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Runs a statement and returns its first row, if any.
    func queryFirst(_ sql: String, _ values: [any SQLiteBindable] = []) throws -> SQLiteRow? {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        return try statement.step() ? statement.row() : nil
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ mode: SQLiteTransactionMode, _ body: () throws -> T) throws -> T {
        try run(mode == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let value = try body()
            try run("COMMIT")
            return value
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { _ = try? run("ROLLBACK") }
            throw error
        }
    }

    /// Finalizes the cached statements and closes the handle; safe to call twice.
    func close() {
        guard isOpen else { return }
        isOpen = false
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    private func prepared(_ sql: String) throws -> SQLiteStatement {
        guard isOpen else { throw StoreError.closed }
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// A `StoreError` for result code `rc` with the connection's current message.
    static func error(_ rc: Int32, _ connection: OpaquePointer, context: String) -> StoreError {
        let detail = String(cString: sqlite3_errmsg(connection))
        let path = sqlite3_db_filename(connection, "main").map { String(cString: $0) } ?? "?"
        return error(sqlite3_extended_errcode(connection) == 0 ? rc : sqlite3_extended_errcode(connection),
                     detail: detail, path: path, context: context)
    }

    private static func error(_ rc: Int32, detail: String, path: String, context: String) -> StoreError {
        let primary = rc & 0xff
        if primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT {
            return StoreError(
                code: .internalError,
                message: "the file at \(path) is not a usable SQLite database (\(detail)); move it aside or restore a backup",
                sqliteResultCode: rc
            )
        }
        return StoreError(
            code: .internalError,
            message: "SQLite error \(rc) while \(context): \(detail)",
            sqliteResultCode: rc
        )
    }
}

extension StoreError {
    // The extended constraint codes are macros Swift cannot import; sqlite3.h defines them so.
    private static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    private static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    private static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)

    /// True when SQLite refused a write because of a PRIMARY KEY or UNIQUE constraint.
    var isUniqueViolation: Bool {
        sqliteResultCode == Self.constraintUnique || sqliteResultCode == Self.constraintPrimaryKey
    }

    /// True when SQLite refused a write because a referenced row is missing.
    var isForeignKeyViolation: Bool { sqliteResultCode == Self.constraintForeignKey }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
