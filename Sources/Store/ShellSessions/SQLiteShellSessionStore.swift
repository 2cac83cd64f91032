import Foundation

/// `ShellSessionStore` on SQLite.
struct SQLiteShellSessionStore: ShellSessionStore {
    let database: SQLiteDatabase

    private static let columns = """
        session_id, username, workspace, blueprint, client, client_ip, start_time, end_time, bytes_in, bytes_out, \
        operations, recording_path
        """

    func create(_ session: ShellSession) async throws {
        guard session.bytesIn >= 0, session.bytesOut >= 0 else {
            throw StoreError.invalidRequest("byte counts cannot be negative")
        }
        try await database.write { connection in
            do {
                try connection.run(
                    "INSERT INTO shell_sessions (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        session.sessionID, session.username, session.workspace, session.blueprint, session.client,
                        session.clientIP, session.startTime, session.endTime, session.bytesIn, session.bytesOut,
                        ShellOperation.mask(session.operations), session.recordingPath,
                    ]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("session \(session.sessionID) already exists")
            }
        }
    }

    func addUsage(sessionID: String, bytesIn: Int64, bytesOut: Int64, operations: Set<ShellOperation>) async throws {
        guard bytesIn >= 0, bytesOut >= 0 else { throw StoreError.invalidRequest("byte counts cannot be negative") }
        try await database.write { connection in
            let changed = try connection.run(
                "UPDATE shell_sessions SET bytes_in = bytes_in + ?, bytes_out = bytes_out + ?, operations = operations | ? "
                    + "WHERE session_id = ?",
                [bytesIn, bytesOut, ShellOperation.mask(operations), sessionID]
            )
            guard changed > 0 else { throw StoreError.notFound("session \(sessionID) not found") }
        }
    }

    func end(sessionID: String, at: Date) async throws {
        try await database.write { connection in
            let changed = try connection.run(
                "UPDATE shell_sessions SET end_time = COALESCE(end_time, ?) WHERE session_id = ?", [at, sessionID]
            )
            guard changed > 0 else { throw StoreError.notFound("session \(sessionID) not found") }
        }
    }

    func get(sessionID: String) async throws -> ShellSession {
        try await database.read { connection in
            guard
                let row = try connection.queryFirst(
                    "SELECT \(Self.columns) FROM shell_sessions WHERE session_id = ?", [sessionID]
                )
            else { throw StoreError.notFound("session \(sessionID) not found") }
            return try Self.session(from: row)
        }
    }

    func list(username: String, workspace: String?, limit: Int?) async throws -> [ShellSession] {
        // SQLite reads a negative LIMIT as "no limit".
        let rowLimit = limit.map { max(0, $0) } ?? -1
        return try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM shell_sessions WHERE username = ?1 AND (?2 IS NULL OR workspace = ?2) "
                    + "ORDER BY start_time DESC, session_id LIMIT ?3",
                [username, workspace, rowLimit]
            ).map(Self.session(from:))
        }
    }

    func ended(before cutoff: Date) async throws -> [ShellSession] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM shell_sessions WHERE end_time IS NOT NULL AND end_time <= ? ORDER BY end_time",
                [cutoff]
            ).map(Self.session(from:))
        }
    }

    func delete(sessionID: String) async throws {
        try await database.write { connection in
            try connection.run("DELETE FROM shell_sessions WHERE session_id = ?", [sessionID])
        }
    }

    private static func session(from row: SQLiteRow) throws -> ShellSession {
        var columns = row.columns
        return ShellSession(
            sessionID: try columns.next(),
            username: try columns.next(),
            workspace: try columns.next(),
            blueprint: try columns.next(),
            client: try columns.next(),
            clientIP: try columns.next(),
            startTime: try columns.next(),
            endTime: try columns.next(),
            bytesIn: try columns.next(),
            bytesOut: try columns.next(),
            operations: ShellOperation.operations(in: try columns.next()),
            recordingPath: try columns.next()
        )
    }
}
