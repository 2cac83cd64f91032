import CubicleTestSupport
import Foundation
import Testing

extension FilesTests {
    /// What a server killed mid-upload leaves: a `.cubicle-upload-*` file nobody writes. The next
    /// upload into the directory removes it, but never a live resumable upload's file.
    @Test func nextUploadIntoTheDirectoryRemovesAbandonedTemporaryFilesButNotLiveResumableOnes() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let abandoned = ".cubicle-upload-" + String(repeating: "d", count: 32)
        #expect(try await fixture.put("\(dir)/keep.txt", text: "the original").status == 201)
        // Planted last: every upload sweeps the directory before it writes.
        #expect(try await fixture.put("\(dir)/\(abandoned)", text: "left by a killed server").status == 201)
        let started = try await fixture.curl(["-X", "POST", "-d", #"{"path":"\#(dir)/r.bin","size":10}"#, fixture.url("/uploads")])
        #expect(started.status == 201)
        let id = try #require(try JSONObject(started.body)["uploadId"] as? String)
        #expect(try await fixture.names(in: dir).filter { $0.hasPrefix(".cubicle-upload-") }.sorted()
            == [abandoned, ".cubicle-upload-\(id)"].sorted())

        #expect(try await fixture.put("\(dir)/next.txt", text: "n").status == 201)
        #expect(try await fixture.names(in: dir).filter { $0.hasPrefix(".cubicle-upload-") } == [".cubicle-upload-\(id)"])
        #expect(String(decoding: try await fixture.get("\(dir)/keep.txt").body, as: UTF8.self) == "the original")
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("/uploads/\(id)")]).status == 204)
    }

    /// `complete` hashes in the workspace through a shell: a name with quotes, spaces, `$(…)`
    /// and a leading `-` is hashed as that file and runs nothing.
    @Test func resumableUploadToAHostileNameCompletesWithTheRightHashAndRunsNothing() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let hostileDir = "\(dir)/-it's a $(touch pwned) `touch pwned2` dir"
        #expect(try await fixture.put("\(hostileDir)/.keep", text: "", ["mkdirs": "true"]).status == 201)
        let local = try TemporaryDirectory("cubicle-hostile")
        defer { local.remove() }
        let size = 3 << 20 + 17
        let source = try await FilesFixture.randomFile(local, "src", bytes: size)
        let target = "\(hostileDir)/-n 'x' $(id).bin"
        let body = try JSONSerialization.data(withJSONObject: ["path": target, "size": size, "sha256": source.sha256])
        let started = try await fixture.curl(["-X", "POST", "-d", String(decoding: body, as: UTF8.self), fixture.url("/uploads")])
        #expect(started.status == 201, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require(try JSONObject(started.body)["uploadId"] as? String)
        #expect(try await ResumableParts.put(fixture, id, 0, source.path) == 204)
        let completed = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(completed.status == 201, "\(String(decoding: completed.body, as: UTF8.self))")
        #expect(try JSONObject(completed.body)["sha256"] as? String == source.sha256)
        let got = try await fixture.get(target)
        #expect(try await FilesFixture.sha256(got.body) == source.sha256)
        for place in [dir, hostileDir, "~"] {
            let names = try await fixture.names(in: place)
            #expect(!names.contains("pwned") && !names.contains("pwned2"), "\(place): \(names)")
        }
    }
}
