import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct ShellSessionStoreTests {
    private func session(_ id: String, user: String = "alice", workspace: String = "alice-59936c3", start: Double = 0) -> ShellSession {
        ShellSession(
            sessionID: id, username: user, workspace: workspace, blueprint: "dev", client: "cubicle-cli/1.0",
            clientIP: "192.0.2.7", startTime: testEpoch.addingTimeInterval(start), operations: [.shell]
        )
    }

    @Test func sessionReadsBackAndDuplicatesAreRefused() async throws {
        try await withStore { store, _ in
            var created = session("s1")
            created.recordingPath = "/data/recordings/s1.cast"
            try await store.shellSessions.create(created)
            #expect(try await store.shellSessions.get(sessionID: "s1") == created)
            await expectStoreError(.alreadyExists) { try await store.shellSessions.create(created) }
            await expectStoreError(.notFound) { try await store.shellSessions.get(sessionID: "nope") }
            await expectStoreError(.notFound) { try await store.shellSessions.addUsage(sessionID: "nope", bytesIn: 1, bytesOut: 1, operations: []) }
            await expectStoreError(.notFound) { try await store.shellSessions.end(sessionID: "nope", at: testEpoch) }
        }
    }

    @Test func usageAccumulatesAcrossConcurrentBatches() async throws {
        try await withStore { store, _ in
            try await store.shellSessions.create(session("s1"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await store.shellSessions.addUsage(
                            sessionID: "s1", bytesIn: 10, bytesOut: 100, operations: index == 7 ? [.sftp] : []
                        )
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await store.shellSessions.get(sessionID: "s1")
            #expect(stored.bytesIn == 200 && stored.bytesOut == 2000)
            #expect(stored.operations == [.shell, .sftp])
            await expectStoreError(.invalidRequest) { try await store.shellSessions.addUsage(sessionID: "s1", bytesIn: -1, bytesOut: 0, operations: []) }
        }
    }

    @Test func theFirstEndTimeWins() async throws {
        try await withStore { store, _ in
            try await store.shellSessions.create(session("s1"))
            try await store.shellSessions.end(sessionID: "s1", at: testEpoch.addingTimeInterval(60))
            try await store.shellSessions.end(sessionID: "s1", at: testEpoch.addingTimeInterval(120))
            #expect(try await store.shellSessions.get(sessionID: "s1").endTime == testEpoch.addingTimeInterval(60))
        }
    }

    @Test func listingIsPerUserNewestFirstWithWorkspaceFilterAndLimit() async throws {
        try await withStore { store, _ in
            try await store.shellSessions.create(session("a", start: 0))
            try await store.shellSessions.create(session("b", workspace: "alice-other00", start: 10))
            try await store.shellSessions.create(session("c", start: 20))
            try await store.shellSessions.create(session("d", user: "bob", workspace: "bob-1234567", start: 30))
            #expect(try await store.shellSessions.list(username: "alice", workspace: nil, limit: nil).map(\.sessionID) == ["c", "b", "a"])
            #expect(try await store.shellSessions.list(username: "alice", workspace: "alice-59936c3", limit: nil).map(\.sessionID) == ["c", "a"])
            #expect(try await store.shellSessions.list(username: "alice", workspace: nil, limit: 2).map(\.sessionID) == ["c", "b"])
            #expect(try await store.shellSessions.list(username: "alice", workspace: nil, limit: 0).isEmpty)
            #expect(try await store.shellSessions.list(username: "carol", workspace: nil, limit: nil).isEmpty)
        }
    }
}
