import CubicleModel
import Foundation

/// `JobStore` on SQLite.
struct SQLiteJobStore: JobStore {
    let database: SQLiteDatabase
    let time: any TimeSource
    /// How long a completed job is kept, in seconds.
    let ttl: Double

    private static let jobColumns = """
        id, workspace_name, username, action, status, result, created_at, updated_at, finished_at, expires_at, blueprint
        """
    private static let eventColumns = "event_id, type, timestamp, object_name, message, status"
    private static let unexpired = "(expires_at IS NULL OR expires_at > ?)"

    func create(_ job: Job) async throws {
        try await database.write { connection in
            if try connection.queryFirst("SELECT 1 FROM jobs WHERE id = ?", [job.id]) != nil {
                throw StoreError.alreadyExists("job \(job.id) already exists")
            }
            let lastEventID = job.events.map(\.id).max() ?? 0
            try connection.run(
                "INSERT INTO jobs (\(Self.jobColumns), last_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    job.id, job.workspaceName, job.username, job.action.rawValue, job.status.rawValue,
                    job.result?.rawValue, job.createdAt, job.updatedAt, job.finishedAt, job.expiresAt, job.blueprint,
                    lastEventID,
                ]
            )
            for event in job.events {
                try Self.insert(event, jobID: job.id, connection)
            }
        }
    }

    func get(id: String) async throws -> Job {
        let now = time.now
        return try await database.read { connection in
            guard var job = try Self.job(id: id, now: now, connection) else {
                throw StoreError.notFound("job \(id) not found")
            }
            job.events = try Self.events(jobID: id, after: 0, connection)
            return job
        }
    }

    func appendEvent(_ event: NewJobEvent, to jobID: String) async throws -> JobEvent {
        let now = time.now
        return try await database.write { connection in
            // One statement claims the id and bumps the job, so it stays atomic on Postgres too.
            let claimed = try connection.queryFirst(
                "UPDATE jobs SET last_event_id = last_event_id + 1, updated_at = ? "
                    + "WHERE id = ? AND status = 'running' RETURNING last_event_id",
                [now, jobID]
            )
            guard let claimed else {
                if try Self.job(id: jobID, now: now, connection) != nil {
                    throw StoreError.conflict("job \(jobID) has completed; no more events can be added")
                }
                throw StoreError.notFound("job \(jobID) not found")
            }
            let stored = JobEvent(
                id: try claimed.get(0, as: Int.self),
                type: event.type,
                timestamp: event.timestamp.storePrecision,
                objectName: event.objectName,
                message: event.message,
                status: event.status
            )
            try Self.insert(stored, jobID: jobID, connection)
            return stored
        }
    }

    func events(of jobID: String, after eventID: Int) async throws -> JobEventSlice {
        let now = time.now
        return try await database.read { connection in
            guard let job = try Self.job(id: jobID, now: now, connection) else {
                throw StoreError.notFound("job \(jobID) not found")
            }
            let events = try Self.events(jobID: jobID, after: eventID, connection)
            return JobEventSlice(events: events, status: job.status, result: job.result)
        }
    }

    func complete(id: String, result: JobResult, at: Date) async throws -> Job {
        let now = time.now
        let expiresAt = at.addingTimeInterval(ttl)
        return try await database.write { connection in
            let changed = try connection.run(
                "UPDATE jobs SET status = 'completed', result = ?, finished_at = ?, expires_at = ?, updated_at = ? "
                    + "WHERE id = ? AND status = 'running'",
                [result.rawValue, at, expiresAt, at, id]
            )
            if changed == 0 {
                if try Self.job(id: id, now: now, connection) != nil {
                    throw StoreError.conflict("job \(id) has already completed")
                }
                throw StoreError.notFound("job \(id) not found")
            }
            // Read back without the expiry filter: a completion recorded late may already be past its TTL.
            guard var job = try Self.job(id: id, now: nil, connection) else {
                throw StoreError.notFound("job \(id) not found")
            }
            job.events = try Self.events(jobID: id, after: 0, connection)
            return job
        }
    }

    func unfinished() async throws -> [Job] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.jobColumns) FROM jobs WHERE status = 'running' ORDER BY created_at, id"
            ).map(Self.job(from:))
        }
    }

    func jobs(forWorkspace workspaceName: String) async throws -> [Job] {
        let now = time.now
        return try await database.read { connection in
            try connection.query(
                "SELECT \(Self.jobColumns) FROM jobs WHERE workspace_name = ? AND \(Self.unexpired) "
                    + "ORDER BY created_at DESC, id",
                [workspaceName, now]
            ).map(Self.job(from:))
        }
    }

    func deleteExpired(now: Date) async throws -> Int {
        try await database.write { connection in
            try connection.run("DELETE FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ?", [now])
        }
    }

    // MARK: Rows

    /// The job row (without events); `now == nil` ignores expiry.
    private static func job(id: String, now: Date?, _ connection: SQLiteConnection) throws -> Job? {
        let row: SQLiteRow?
        if let now {
            row = try connection.queryFirst("SELECT \(jobColumns) FROM jobs WHERE id = ? AND \(unexpired)", [id, now])
        } else {
            row = try connection.queryFirst("SELECT \(jobColumns) FROM jobs WHERE id = ?", [id])
        }
        return try row.map(job(from:))
    }

    private static func events(jobID: String, after eventID: Int, _ connection: SQLiteConnection) throws -> [JobEvent] {
        try connection.query(
            "SELECT \(eventColumns) FROM job_events WHERE job_id = ? AND event_id > ? ORDER BY event_id",
            [jobID, eventID]
        ).map(event(from:))
    }

    private static func insert(_ event: JobEvent, jobID: String, _ connection: SQLiteConnection) throws {
        try connection.run(
            "INSERT INTO job_events (job_id, \(eventColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [jobID, event.id, event.type.rawValue, event.timestamp, event.objectName, event.message, event.status]
        )
    }

    private static func job(from row: SQLiteRow) throws -> Job {
        var columns = row.columns
        let id: String = try columns.next()
        var job = Job(
            id: id,
            workspaceName: try columns.next(),
            username: try columns.next(),
            action: try decode(JobAction.self, try columns.next(), column: "jobs.action"),
            createdAt: .distantPast
        )
        job.status = try decode(JobStatus.self, try columns.next(), column: "jobs.status")
        let result: String? = try columns.next()
        job.result = try result.map { try decode(JobResult.self, $0, column: "jobs.result") }
        job.createdAt = try columns.next()
        job.updatedAt = try columns.next()
        job.finishedAt = try columns.next()
        job.expiresAt = try columns.next()
        job.blueprint = try columns.next()
        return job
    }

    private static func event(from row: SQLiteRow) throws -> JobEvent {
        var columns = row.columns
        return JobEvent(
            id: try columns.next(),
            type: try decode(JobEventType.self, try columns.next(), column: "job_events.type"),
            timestamp: try columns.next(),
            objectName: try columns.next(),
            message: try columns.next(),
            status: try columns.next()
        )
    }
}
