import CubicleModel
import Foundation

/// `UploadStore` on SQLite.
struct SQLiteUploadStore: UploadStore {
    let database: SQLiteDatabase
    let time: any TimeSource

    private static let columns = """
        upload_id, username, workspace, path, temp_path, size, sha256, part_size, created_at, expires_at
        """

    func create(_ upload: Upload) async throws {
        guard upload.size >= 0, upload.partSize > 0 else {
            throw StoreError.invalidRequest("an upload needs a size of at least 0 and a part size above 0")
        }
        try await database.write { connection in
            do {
                try connection.run(
                    "INSERT INTO uploads (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        upload.uploadID, upload.username, upload.workspace, upload.path, upload.tempPath, upload.size,
                        upload.sha256, upload.partSize, upload.createdAt, upload.expiresAt,
                    ]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("upload \(upload.uploadID) already exists")
            }
            for part in upload.parts {
                try Self.upsert(part, uploadID: upload.uploadID, connection)
            }
        }
    }

    func markPartReceived(uploadID: String, part: UploadPart) async throws {
        guard part.number >= 0, part.size >= 0 else {
            throw StoreError.invalidRequest("part numbers and sizes cannot be negative")
        }
        let now = time.now
        try await database.write { connection in
            guard
                try connection.queryFirst(
                    "SELECT 1 FROM uploads WHERE upload_id = ? AND expires_at > ?", [uploadID, now]
                ) != nil
            else { throw StoreError.notFound("upload \(uploadID) not found") }
            try Self.upsert(part, uploadID: uploadID, connection)
        }
    }

    func get(uploadID: String) async throws -> Upload {
        let now = time.now
        return try await database.read { connection in
            guard
                let row = try connection.queryFirst(
                    "SELECT \(Self.columns) FROM uploads WHERE upload_id = ? AND expires_at > ?", [uploadID, now]
                )
            else { throw StoreError.notFound("upload \(uploadID) not found") }
            return try Self.upload(from: row, connection)
        }
    }

    func delete(uploadID: String) async throws {
        try await database.write { connection in
            guard try connection.run("DELETE FROM uploads WHERE upload_id = ?", [uploadID]) > 0 else {
                throw StoreError.notFound("upload \(uploadID) not found")
            }
        }
    }

    func expired(now: Date) async throws -> [Upload] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM uploads WHERE expires_at <= ? ORDER BY expires_at, upload_id", [now]
            ).map { try Self.upload(from: $0, connection) }
        }
    }

    private static func upsert(_ part: UploadPart, uploadID: String, _ connection: SQLiteConnection) throws {
        try connection.run(
            """
            INSERT INTO upload_parts (upload_id, part_number, size, sha256) VALUES (?, ?, ?, ?)
            ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256
            """,
            [uploadID, part.number, part.size, part.sha256]
        )
    }

    private static func upload(from row: SQLiteRow, _ connection: SQLiteConnection) throws -> Upload {
        var columns = row.columns
        var upload = Upload(
            uploadID: try columns.next(),
            username: try columns.next(),
            workspace: try columns.next(),
            path: try columns.next(),
            tempPath: try columns.next(),
            size: try columns.next(),
            sha256: try columns.next(),
            partSize: try columns.next(),
            createdAt: try columns.next(),
            expiresAt: try columns.next()
        )
        upload.parts = try connection.query(
            "SELECT part_number, size, sha256 FROM upload_parts WHERE upload_id = ? ORDER BY part_number",
            [upload.uploadID]
        ).map { row in
            var columns = row.columns
            return UploadPart(number: try columns.next(), size: try columns.next(), sha256: try columns.next())
        }
        return upload
    }
}
