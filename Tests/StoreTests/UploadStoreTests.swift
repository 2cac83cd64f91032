import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct UploadStoreTests {
    private func upload(_ id: String = "u1", expiresIn: Double = 3600) -> Upload {
        Upload(
            uploadID: id, username: "alice", workspace: "alice-59936c3", path: "/home/alice/data.bin",
            tempPath: "/home/alice/.data.bin.\(id).part", size: 25, sha256: String(repeating: "ab", count: 32),
            partSize: 10, createdAt: testEpoch, expiresAt: testEpoch.addingTimeInterval(expiresIn)
        )
    }

    @Test func partsAreRecordedIdempotentlyInAnyOrder() async throws {
        try await withStore { store, _ in
            try await store.uploads.create(upload())
            await expectStoreError(.alreadyExists) { try await store.uploads.create(upload()) }
            try await store.uploads.markPartReceived(uploadID: "u1", part: UploadPart(number: 3, size: 5))
            try await store.uploads.markPartReceived(uploadID: "u1", part: UploadPart(number: 1, size: 10, sha256: "old"))
            try await store.uploads.markPartReceived(uploadID: "u1", part: UploadPart(number: 1, size: 10, sha256: "new"))
            let stored = try await store.uploads.get(uploadID: "u1")
            #expect(stored.parts == [UploadPart(number: 1, size: 10, sha256: "new"), UploadPart(number: 3, size: 5)])
            var expected = upload()
            expected.parts = stored.parts
            #expect(stored == expected)
        }
    }

    @Test func anExpiredUploadIsNotFoundAndListedAsExpired() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await store.uploads.create(upload("short", expiresIn: 60))
            try await store.uploads.create(upload("long", expiresIn: 7200))
            time.advance(by: 60)
            await expectStoreError(.notFound) { try await store.uploads.get(uploadID: "short") }
            await expectStoreError(.notFound) { try await store.uploads.markPartReceived(uploadID: "short", part: UploadPart(number: 1, size: 1)) }
            #expect(try await store.uploads.expired(now: time.now).map(\.uploadID) == ["short"])
            #expect(try await store.uploads.get(uploadID: "long").uploadID == "long")
        }
    }

    @Test func deletingAnUploadRemovesItsParts() async throws {
        try await withStore { store, _ in
            try await store.uploads.create(upload())
            try await store.uploads.markPartReceived(uploadID: "u1", part: UploadPart(number: 1, size: 10))
            try await store.uploads.delete(uploadID: "u1")
            await expectStoreError(.notFound) { try await store.uploads.get(uploadID: "u1") }
            await expectStoreError(.notFound) { try await store.uploads.delete(uploadID: "u1") }
            let parts = try await store.database.read { try $0.queryFirst("SELECT COUNT(*) FROM upload_parts")?.get(0, as: Int.self) }
            #expect(parts == 0)
        }
    }
}
