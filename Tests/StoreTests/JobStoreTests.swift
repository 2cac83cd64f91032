import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct JobStoreTests {
    private func job(_ id: String = UUID().uuidString.lowercased(), workspace: String = "alice-59936c3", at date: Date = testEpoch) -> Job {
        Job(id: id, workspaceName: workspace, username: "alice", action: .provision, createdAt: date)
    }

    private func event(_ message: String, at date: Date = testEpoch) -> NewJobEvent {
        NewJobEvent(type: .event, timestamp: date, objectName: "Pod/alice-59936c3", message: message, status: "Normal")
    }

    @Test func createdJobReadsBackUnchanged() async throws {
        try await withStore { store, _ in
            let created = job()
            try await store.jobs.create(created)
            #expect(try await store.jobs.get(id: created.id) == created)
        }
    }

    @Test func duplicateAndUnknownJobsAreReported() async throws {
        try await withStore { store, _ in
            let created = job("job-1")
            try await store.jobs.create(created)
            await expectStoreError(.alreadyExists) { try await store.jobs.create(created) }
            await expectStoreError(.notFound) { try await store.jobs.get(id: "nope") }
            await expectStoreError(.notFound) { try await store.jobs.appendEvent(event("x"), to: "nope") }
            await expectStoreError(.notFound) { try await store.jobs.events(of: "nope", after: 0) }
            await expectStoreError(.notFound) { try await store.jobs.complete(id: "nope", result: .failed, at: testEpoch) }
        }
    }

    @Test func appendedEventsGetConsecutiveIdsAndBumpUpdatedAt() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            let created = job()
            try await store.jobs.create(created)
            time.advance(by: 5)
            let first = try await store.jobs.appendEvent(event("Scheduled"), to: created.id)
            let second = try await store.jobs.appendEvent(event("Pulling"), to: created.id)
            #expect(first.id == 1 && second.id == 2)
            let stored = try await store.jobs.get(id: created.id)
            #expect(stored.events == [first, second])
            #expect(stored.updatedAt == testEpoch.addingTimeInterval(5))
        }
    }

    @Test func fiftyConcurrentAppendsGetIdsOneToFiftyWithoutGapsOrDuplicates() async throws {
        try await withStore { store, _ in
            let created = job()
            try await store.jobs.create(created)
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask { try await store.jobs.appendEvent(event("event \(index)"), to: created.id).id }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(ids.sorted() == Array(1...50))
            let stored = try await store.jobs.get(id: created.id).events
            #expect(stored.map(\.id) == Array(1...50))
            #expect(Set(stored.map(\.message)).count == 50)
        }
    }

    @Test func appendsFromTwoConnectionsToOneFileStayGapless() async throws {
        // Two stores on one file stand in for two processes: the id claim must hold across writers.
        try await withStore { store, _ in
            let other = try await SQLiteStore.open(SQLiteStore.Configuration(path: store.database.path))
            let created = job()
            try await store.jobs.create(created)
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    let target = index.isMultiple(of: 2) ? store : other
                    group.addTask { try await target.jobs.appendEvent(event("event \(index)"), to: created.id).id }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            await other.close()
            #expect(ids.sorted() == Array(1...40))
        }
    }

    @Test func eventsAfterAnIdReturnOnlyLaterEvents() async throws {
        try await withStore { store, _ in
            let created = job()
            try await store.jobs.create(created)
            for index in 1...5 { _ = try await store.jobs.appendEvent(event("e\(index)"), to: created.id) }
            let slice = try await store.jobs.events(of: created.id, after: 3)
            #expect(slice.events.map(\.id) == [4, 5])
            #expect(slice.events.map(\.message) == ["e4", "e5"])
            #expect(slice.status == .running)
            #expect(try await store.jobs.events(of: created.id, after: 5).events.isEmpty)
            #expect(try await store.jobs.events(of: created.id, after: 0).events.count == 5)
        }
    }

    @Test func completingSetsResultFinishAndExpiryOneTTLLater() async throws {
        try await withStore(jobTTL: 600) { store, _ in
            let created = job()
            try await store.jobs.create(created)
            _ = try await store.jobs.appendEvent(event("Started"), to: created.id)
            let finishedAt = testEpoch.addingTimeInterval(42)
            let completed = try await store.jobs.complete(id: created.id, result: .succeeded, at: finishedAt)
            #expect(completed.status == .completed)
            #expect(completed.result == .succeeded)
            #expect(completed.finishedAt == finishedAt)
            #expect(completed.expiresAt == finishedAt.addingTimeInterval(600))
            #expect(completed.events.count == 1)
            #expect(try await store.jobs.get(id: created.id) == completed)
            let slice = try await store.jobs.events(of: created.id, after: 1)
            #expect(slice.status == .completed && slice.result == .succeeded)
        }
    }

    @Test func aCompletedJobTakesNoMoreEventsNorASecondCompletion() async throws {
        try await withStore { store, _ in
            let created = job()
            try await store.jobs.create(created)
            _ = try await store.jobs.complete(id: created.id, result: .failed, at: testEpoch)
            await expectStoreError(.conflict) { try await store.jobs.appendEvent(event("late"), to: created.id) }
            await expectStoreError(.conflict) { try await store.jobs.complete(id: created.id, result: .succeeded, at: testEpoch) }
            #expect(try await store.jobs.get(id: created.id).result == .failed)
        }
    }

    @Test func anExpiredJobIsNotFoundBeforeTheTidierRuns() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time, jobTTL: 600) { store, _ in
            let created = job()
            try await store.jobs.create(created)
            _ = try await store.jobs.complete(id: created.id, result: .succeeded, at: time.now)
            time.advance(by: 599)
            #expect(try await store.jobs.get(id: created.id).id == created.id)
            time.advance(by: 1)
            await expectStoreError(.notFound) { try await store.jobs.get(id: created.id) }
            await expectStoreError(.notFound) { try await store.jobs.events(of: created.id, after: 0) }
            #expect(try await store.jobs.jobs(forWorkspace: created.workspaceName).isEmpty)
            // Still on disk: only the read filter hides it.
            let rows = try await store.database.read { try $0.queryFirst("SELECT COUNT(*) FROM jobs")?.get(0, as: Int.self) }
            #expect(rows == 1)
        }
    }

    @Test func unfinishedListsOnlyRunningJobsOldestFirst() async throws {
        try await withStore { store, _ in
            let older = job("older", at: testEpoch)
            let newer = job("newer", at: testEpoch.addingTimeInterval(10))
            let done = job("done", at: testEpoch.addingTimeInterval(5))
            for item in [newer, done, older] { try await store.jobs.create(item) }
            _ = try await store.jobs.appendEvent(event("x"), to: older.id)
            _ = try await store.jobs.complete(id: done.id, result: .succeeded, at: testEpoch)
            let unfinished = try await store.jobs.unfinished()
            #expect(unfinished.map(\.id) == ["older", "newer"])
            #expect(unfinished.allSatisfy { $0.events.isEmpty && $0.status == .running })
        }
    }

    @Test func workspaceJobsAreListedNewestFirst() async throws {
        try await withStore { store, _ in
            try await store.jobs.create(job("a", workspace: "alice-1111111", at: testEpoch))
            try await store.jobs.create(job("b", workspace: "alice-1111111", at: testEpoch.addingTimeInterval(1)))
            try await store.jobs.create(job("c", workspace: "alice-2222222", at: testEpoch))
            #expect(try await store.jobs.jobs(forWorkspace: "alice-1111111").map(\.id) == ["b", "a"])
            #expect(try await store.jobs.jobs(forWorkspace: "nobody-0000000").isEmpty)
        }
    }
}

extension JobStoreTests {
    @Test func jobRemembersItsBlueprintAcrossReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SQLiteStore.Configuration(path: directory.file(SQLiteStore.defaultFileName))
        let store = try await SQLiteStore.open(configuration, time: ManualTimeSource(start: testEpoch))
        let job = Job(id: "bp-job", workspaceName: "alice-59936c3", username: "alice", action: .provision, createdAt: testEpoch, blueprint: "dev")
        try await store.jobs.create(job)
        await store.close()
        let reopened = try await SQLiteStore.open(configuration, time: ManualTimeSource(start: testEpoch))
        #expect(try await reopened.jobs.get(id: "bp-job").blueprint == "dev")
        #expect(try await reopened.jobs.unfinished().first?.blueprint == "dev")
        await reopened.close()
    }
}
