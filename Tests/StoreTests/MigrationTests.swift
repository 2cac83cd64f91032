import Foundation
import Testing

@testable import Store

@Suite struct MigrationTests {
    private let steps = [
        SQLiteMigration(version: 1, name: "notes", sql: "CREATE TABLE notes (body TEXT NOT NULL) STRICT;"),
        SQLiteMigration(version: 2, name: "seed", sql: "INSERT INTO notes (body) VALUES ('seeded');"),
    ]

    private func version(_ database: SQLiteDatabase) async throws -> Int {
        try await database.withWriterConnection { try SQLiteMigrator.version(of: $0) }
    }

    private func noteCount(_ database: SQLiteDatabase) async throws -> Int {
        try await database.read { try $0.queryFirst("SELECT COUNT(*) FROM notes")?.get(0, as: Int.self) ?? -1 }
    }

    @Test func emptyFileIsMigratedToTheNewestSchema() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await SQLiteStore.open(.inDataDirectory(directory.path))
        let version = try await version(store.database)
        let tables = try await store.database.read { connection in
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map {
                try $0.get(0, as: String.self)
            }
        }
        await store.close()
        #expect(version == SQLiteStore.schemaVersion)
        #expect(
            Set(tables) == [
                "access_tokens", "cli_handoffs", "counters", "credentials", "job_events", "jobs", "login_states", "shell_sessions",
                "upload_parts", "uploads", "users", "web_sessions",
            ]
        )
    }

    @Test func reopeningAMigratedFileAppliesNothingAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        let first = try await SQLiteDatabase.open(path: path, migrations: steps)
        #expect(try await noteCount(first) == 1)
        await first.close()

        let second = try await SQLiteDatabase.open(path: path, migrations: steps)
        #expect(try await noteCount(second) == 1)
        #expect(try await version(second) == 2)
        await second.close()
    }

    @Test func onlyStepsNewerThanTheFileAreApplied() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        let old = try await SQLiteDatabase.open(path: path, migrations: Array(steps.prefix(1)))
        #expect(try await noteCount(old) == 0)
        #expect(try await version(old) == 1)
        await old.close()

        let upgraded = try await SQLiteDatabase.open(path: path, migrations: steps)
        #expect(try await noteCount(upgraded) == 1)
        #expect(try await version(upgraded) == 2)
        await upgraded.close()
    }

    @Test func aFileWithANewerSchemaIsRefusedWithAClearError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file(SQLiteStore.defaultFileName)
        let store = try await SQLiteStore.open(SQLiteStore.Configuration(path: path))
        try await store.database.withWriterConnection { try $0.execute("PRAGMA user_version = 99") }
        await store.close()

        do {
            _ = try await SQLiteStore.open(SQLiteStore.Configuration(path: path))
            Issue.record("opening a newer schema succeeded")
        } catch let error as StoreError {
            #expect(error.code == .internalError)
            #expect(error.message.contains("schema version 99"))
            #expect(error.message.contains("newer"))
        }
    }

    @Test func aFailingStepRollsBackAndLeavesTheVersion() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        let broken = steps + [
            SQLiteMigration(
                version: 3, name: "broken",
                sql: "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);"
            )
        ]
        do {
            _ = try await SQLiteDatabase.open(path: path, migrations: broken)
            Issue.record("a broken migration succeeded")
        } catch let error as StoreError {
            #expect(error.message.contains("migration 3 (broken)"))
            #expect(error.message.contains("no_such_table"))
        }
        let database = try await SQLiteDatabase.open(path: path, migrations: steps)
        #expect(try await version(database) == 2)
        let half = try await database.read { try $0.queryFirst("SELECT 1 FROM sqlite_master WHERE name = 'half'") }
        #expect(half == nil)
        await database.close()
    }
}
