import CubicleModel
import Foundation
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import Store

@Suite struct TidierTests {
    private func rowCount(_ store: SQLiteStore, _ table: String) async throws -> Int {
        try await store.database.read { try $0.queryFirst("SELECT COUNT(*) FROM \(table)")?.get(0, as: Int.self) ?? -1 }
    }

    @Test func runningTidierDeletesAJobOnceTheClockPassesItsExpiry() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time, jobTTL: 600) { store, _ in
            let job = Job(id: "j1", workspaceName: "alice-59936c3", username: "alice", action: .provision, createdAt: time.now)
            try await store.jobs.create(job)
            _ = try await store.jobs.appendEvent(
                NewJobEvent(type: .status, timestamp: time.now, objectName: "Pod/x", message: "Running", status: "Running"),
                to: job.id
            )
            _ = try await store.jobs.complete(id: job.id, result: .succeeded, at: time.now)

            let (passes, continuation) = AsyncStream.makeStream(of: TidyReport.self)
            let tidier = StoreTidier(
                store: store, time: time, configuration: .init(interval: 60),
                onPass: { continuation.yield($0) }
            )
            let running = Task { try await tidier.run() }
            var reports = passes.makeAsyncIterator()

            let first = try #require(await reports.next())
            #expect(first.jobs == 0)
            #expect(try await rowCount(store, "jobs") == 1)

            // Advance only once the tidier sleeps, so its next deadline is computed from the old time.
            while time.sleeperCount == 0 { await Task.yield() }
            time.advance(by: 600)
            await expectStoreError(.notFound) { try await store.jobs.get(id: job.id) }
            let second = try #require(await reports.next())
            #expect(second.jobs == 1)
            #expect(try await rowCount(store, "jobs") == 0)
            #expect(try await rowCount(store, "job_events") == 0)

            running.cancel()
            try await running.value
            continuation.finish()
        }
    }

    @Test func gracefulShutdownEndsTheTidier() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            let tidier = StoreTidier(store: store, time: time)
            try await testGracefulShutdown { trigger in
                let running = Task { try await tidier.run() }
                while time.sleeperCount == 0 { await Task.yield() }
                trigger.triggerGracefulShutdown()
                try await running.value
                #expect(time.sleeperCount == 0)
            }
        }
    }

    @Test func expiredSessionsLoginStatesAndHandoffsAreDeleted() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await makeUser(store)
            _ = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: time.now.addingTimeInterval(10))
            let live = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: time.now.addingTimeInterval(1000))
            try await store.loginStates.create(
                LoginState(
                    state: "state-1", nonce: "n", codeVerifier: "v", provider: "oidc/corp", redirect: "/", createPAT: false,
                    handoffKey: nil, createdAt: time.now, expiresAt: time.now.addingTimeInterval(10)
                )
            )
            try await store.loginStates.beginHandoff(key: "cli-handoff-key-0123456789", expiresAt: time.now.addingTimeInterval(10))

            let tidier = StoreTidier(store: store, time: time)
            #expect(try await tidier.tidy() == TidyReport())
            time.advance(by: 10)
            let report = try await tidier.tidy()
            #expect(report.webSessions == 1)
            #expect(report.loginStates == 2)
            #expect(try await store.webSessions.find(cookieValue: live.cookieValue) != nil)
            #expect(try await rowCount(store, "login_states") == 0)
            #expect(try await rowCount(store, "cli_handoffs") == 0)
        }
    }

    @Test func expiredUploadsAndOldRecordingsAreHandedOverBeforeDeletion() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            let expiring = Upload(
                uploadID: "u1", username: "alice", workspace: "alice-59936c3", path: "/home/alice/big.iso",
                tempPath: "/home/alice/.big.iso.cubicle-u1", size: 10, sha256: nil, partSize: 5, createdAt: time.now,
                expiresAt: time.now.addingTimeInterval(3600)
            )
            try await store.uploads.create(expiring)
            try await store.uploads.markPartReceived(uploadID: "u1", part: UploadPart(number: 1, size: 5))
            try await store.shellSessions.create(
                ShellSession(
                    sessionID: "s-old", username: "alice", workspace: "alice-59936c3", blueprint: "dev", client: "cli",
                    clientIP: "127.0.0.1", startTime: time.now, recordingPath: "/data/recordings/s-old.cast"
                )
            )
            try await store.shellSessions.end(sessionID: "s-old", at: time.now)
            try await store.shellSessions.create(
                ShellSession(
                    sessionID: "s-open", username: "alice", workspace: "alice-59936c3", blueprint: "dev", client: "cli",
                    clientIP: "127.0.0.1", startTime: time.now
                )
            )

            let handedOver = Mutex<[ExpiredFiles]>([])
            let tidier = StoreTidier(
                store: store, time: time, configuration: .init(interval: 60, shellSessionRetention: 7200),
                removeFiles: { files in handedOver.withLock { $0.append(files) } }
            )
            time.advance(by: 3600)
            let report = try await tidier.tidy()
            #expect(report.uploads == 1)
            #expect(report.shellSessions == 0)
            time.advance(by: 3600)
            let later = try await tidier.tidy()
            #expect(later.shellSessions == 1)

            let files = handedOver.withLock { $0 }
            #expect(files.count == 2)
            #expect(files.first?.uploads.map(\.tempPath) == [expiring.tempPath])
            #expect(files.first?.uploads.first?.parts == [UploadPart(number: 1, size: 5)])
            #expect(files.last?.recordingPaths == ["/data/recordings/s-old.cast"])
            #expect(try await rowCount(store, "uploads") == 0)
            #expect(try await rowCount(store, "upload_parts") == 0)
            #expect(try await store.shellSessions.list(username: "alice", workspace: nil, limit: nil).map(\.sessionID) == ["s-open"])
        }
    }

    @Test func recordsStayWhenTheirFilesCannotBeRemoved() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await store.uploads.create(
                Upload(
                    uploadID: "u1", username: "alice", workspace: "w", path: "/p", tempPath: "/p.tmp", size: 1,
                    sha256: nil, partSize: 1, createdAt: time.now, expiresAt: time.now.addingTimeInterval(1)
                )
            )
            struct DiskGone: Error {}
            let failing = StoreTidier(store: store, time: time, removeFiles: { _ in throw DiskGone() })
            time.advance(by: 1)
            #expect(try await failing.tidy().uploads == 0)
            #expect(try await rowCount(store, "uploads") == 1)

            let working = StoreTidier(store: store, time: time)
            #expect(try await working.tidy().uploads == 1)
            #expect(try await rowCount(store, "uploads") == 0)
        }
    }
}
