import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct EngineTests {
    @Test func databaseFileAndItsWALAreCreatedWithMode0600() async throws {
        try await withStore { store, _ in
            try await makeUser(store)  // a write creates the -wal and -shm files
            for suffix in ["", "-wal", "-shm"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: store.database.path + suffix)
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
                #expect(mode == 0o600, "mode of \(suffix.isEmpty ? "database" : suffix) is \(String(mode ?? -1, radix: 8))")
            }
        }
    }

    @Test func connectionsUseWALNormalSyncAndForeignKeys() async throws {
        try await withStore { store, _ in
            let (journal, synchronous, foreignKeys) = try await store.database.withWriterConnection { connection in
                (
                    try connection.queryFirst("PRAGMA journal_mode")?.get(0, as: String.self),
                    try connection.queryFirst("PRAGMA synchronous")?.get(0, as: Int.self),
                    try connection.queryFirst("PRAGMA foreign_keys")?.get(0, as: Int.self)
                )
            }
            #expect(journal == "wal")
            #expect(synchronous == 1)  // NORMAL
            #expect(foreignKeys == 1)
        }
    }

    @Test func aFileThatIsNotSQLiteGivesAClearError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("garbage.sqlite")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        #expect(FileManager.default.createFile(atPath: path, contents: garbage))
        do {
            _ = try await SQLiteStore.open(SQLiteStore.Configuration(path: path))
            Issue.record("a garbage file opened as a database")
        } catch let error as StoreError {
            #expect(error.code == .internalError)
            #expect(error.message.contains("not a usable SQLite database"))
            #expect(error.message.contains(path))
        }
        // The file is left as it was for the operator to inspect.
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    @Test func aDamagedDatabaseGivesAnErrorNotACrash() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file(SQLiteStore.defaultFileName)
        let store = try await SQLiteStore.open(SQLiteStore.Configuration(path: path))
        for index in 0..<50 { try await makeUser(store, "user\(index)") }
        await store.close()
        // Overwrite every page after the header page with noise.
        var bytes = try #require(FileManager.default.contents(atPath: path))
        for index in 4096..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: index &* 131) }
        try bytes.write(to: URL(fileURLWithPath: path))

        do {
            let damaged = try await SQLiteStore.open(SQLiteStore.Configuration(path: path))
            await expectStoreError(.internalError) { try await damaged.users.list() }
            await damaged.close()
        } catch let error as StoreError {
            #expect(error.code == .internalError)
        }
    }

    @Test func valuesRoundTripWithTheirTypes() async throws {
        try await withStore { store, _ in
            let text = "naïve ☃ \u{0} after-nul"
            let row = try await store.database.write { connection in
                try connection.execute("CREATE TABLE t (a TEXT, b INTEGER, c REAL, d BLOB, e BLOB, f TEXT, g TEXT) STRICT")
                try connection.run(
                    "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [text, Int64.min, 2.5, [UInt8](), [0, 255, 1] as [UInt8], String?.none, ""]
                )
                return try connection.queryFirst("SELECT a, b, c, d, e, f, g FROM t")
            }
            let values = try #require(row)
            #expect(try values.get(0, as: String.self) == text)
            #expect(try values.get(1, as: Int64.self) == .min)
            #expect(try values.get(2, as: Double.self) == 2.5)
            #expect(try values.get(3, as: [UInt8].self) == [])
            #expect(try values.get(4, as: [UInt8].self) == [0, 255, 1])
            #expect(try values.get(5, as: String?.self) == nil)
            #expect(try values.get(6, as: String?.self) == "")
            #expect(throws: StoreError.self) { try values.get(1, as: String.self) }
            #expect(throws: StoreError.self) { try values.get(9, as: String.self) }
        }
    }

    @Test func recordsReturnedByWritesEqualTheirStoredForm() async throws {
        // A clock with sub-millisecond digits, as the system clock has; the store keeps milliseconds.
        let time = ManualTimeSource(start: Date(timeIntervalSince1970: 1_800_000_000.123_456_7))
        try await withStore(time: time) { store, _ in
            let user = try await makeUser(store)
            #expect(try await store.users.get("alice") == user)
            let issued = try await store.accessTokens.create(
                NewAccessToken(username: "alice", name: "t", expiresAt: time.now.addingTimeInterval(0.000_3 + 60))
            )
            #expect(try await store.accessTokens.find(presented: issued.plaintext) == issued.token)
            let session = try await store.webSessions.create(username: "alice", provider: "p", expiresAt: time.now.addingTimeInterval(60))
            #expect(try await store.webSessions.find(cookieValue: session.cookieValue) == session.session)
            let credential = try await store.credentials.create(
                NewCredential(username: "alice", serviceName: .git, serviceScope: "s", credentialSource: "admin", subject: "a", ciphertext: nil)
            )
            #expect(try await store.credentials.list(username: "alice") == [credential])
            try await store.jobs.create(Job(id: "j", workspaceName: "w", username: "alice", action: .start, createdAt: testEpoch))
            let event = try await store.jobs.appendEvent(
                NewJobEvent(type: .progress, timestamp: time.now, objectName: "Pod/w", message: "50%", status: "50"), to: "j"
            )
            #expect(try await store.jobs.events(of: "j", after: 0).events == [event])
        }
    }

    @Test func aThrowingWriteRollsBackEverything() async throws {
        try await withStore { store, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await store.database.write { connection in
                    try connection.run(
                        "INSERT INTO jobs (id, workspace_name, username, action, status, created_at, updated_at) "
                            + "VALUES ('j', 'w', 'u', 'provision', 'running', 0, 0)"
                    )
                    throw Boom()
                }
            }
            let count = try await store.database.read { try $0.queryFirst("SELECT COUNT(*) FROM jobs")?.get(0, as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test func callsAfterCloseFailInsteadOfHanging() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await SQLiteStore.open(.inDataDirectory(directory.path))
        try await store.ping()
        await store.close()
        await expectStoreError(.internalError) { try await store.ping() }
        await expectStoreError(.internalError) { try await store.users.list() }
    }

    @Test func dataSurvivesClosingAndReopening() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let time = ManualTimeSource(start: testEpoch)
        let configuration = SQLiteStore.Configuration.inDataDirectory(directory.path)
        let first = try await SQLiteStore.open(configuration, time: time)
        let user = try await makeUser(first)
        let issued = try await first.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
        let job = Job(id: "job-1", workspaceName: "alice-59936c3", username: "alice", action: .provision, createdAt: time.now)
        try await first.jobs.create(job)
        _ = try await first.jobs.appendEvent(
            NewJobEvent(type: .status, timestamp: time.now, objectName: "Pod/alice-59936c3", message: "Scheduling", status: "Scheduling"),
            to: job.id
        )
        await first.close()
        // A clean close checkpoints the WAL into the main file and removes the log.
        #expect(!FileManager.default.fileExists(atPath: configuration.path + "-wal"))

        let second = try await SQLiteStore.open(configuration, time: time)
        #expect(try await second.users.get("alice") == user)
        #expect(try await second.accessTokens.find(presented: issued.plaintext)?.id == issued.token.id)
        let reread = try await second.jobs.get(id: job.id)
        #expect(reread.events.map(\.message) == ["Scheduling"])
        await second.close()
    }
}
