/// One step of the schema's history: applied once, in its own transaction, in version order.
struct SQLiteMigration: Sendable {
    /// The `PRAGMA user_version` the database has after this step; versions count 1, 2, 3…
    let version: Int
    /// What the step does, for error messages.
    let name: String
    /// The statements of the step.
    let sql: String
}

/// Brings a database's schema up to the newest migration, recorded in `PRAGMA user_version`.
enum SQLiteMigrator {
    /// Applies every migration newer than the file's version; returns the version before and after.
    @discardableResult
    static func migrate(_ connection: SQLiteConnection, to migrations: [SQLiteMigration]) throws -> (from: Int, to: Int) {
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            throw StoreError.internalError("migration \"\(migration.name)\" has version \(migration.version), expected \(offset + 1)")
        }
        let latest = migrations.count
        let initial = try version(of: connection)
        try checkNotNewer(initial, latest: latest, path: connection.path)
        for migration in migrations where migration.version > initial {
            try connection.transaction(.immediate) {
                // Another process may have migrated between our read and our write lock.
                let current = try version(of: connection)
                try checkNotNewer(current, latest: latest, path: connection.path)
                guard current < migration.version else { return }
                do {
                    try connection.execute(migration.sql)
                } catch let error as StoreError {
                    throw StoreError(
                        code: .internalError,
                        message: "schema migration \(migration.version) (\(migration.name)) failed: \(error.message)",
                        underlying: error,
                        sqliteResultCode: error.sqliteResultCode
                    )
                }
                try connection.execute("PRAGMA user_version = \(migration.version)")
            }
        }
        return (initial, max(initial, latest))
    }

    /// The schema version recorded in the file (0 for a new file).
    static func version(of connection: SQLiteConnection) throws -> Int {
        guard let row = try connection.queryFirst("PRAGMA user_version") else { return 0 }
        return try row.get(0, as: Int.self)
    }

    private static func checkNotNewer(_ version: Int, latest: Int, path: String) throws {
        guard version > latest else { return }
        throw StoreError.internalError(
            "the database at \(path) has schema version \(version), newer than the \(latest) this Cubicle knows; "
                + "run a newer Cubicle or restore a backup taken before the upgrade"
        )
    }
}
