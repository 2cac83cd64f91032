import CubicleTestSupport
import Foundation
import Testing

extension FilesTests {
    /// A resumable upload takes the plain PUT's `mkdirs`, `overwrite` and `mode` in its start body.
    @Test func resumableUploadsCreateDirectoriesKeepModesAndRefuseToClobber() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let deep = "\(dir)/new/deeper/file.bin"
        func start(_ json: String) async throws -> (status: Int, body: Data) {
            try await fixture.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", json, fixture.url("/uploads")])
        }
        let refused = try await start(#"{"path":"\#(deep)","size":3}"#)
        #expect(refused.status == 404, "no parent directory without mkdirs: \(String(decoding: refused.body, as: UTF8.self))")
        let badMode = try await start(#"{"path":"\#(deep)","size":3,"mkdirs":true,"mode":"999"}"#)
        #expect(badMode.status == 400)

        let started = try await start(#"{"path":"\#(deep)","size":3,"mkdirs":true,"mode":"0600"}"#)
        try #require(started.status == 201, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require(try JSONObject(started.body)["uploadId"] as? String)
        let local = try TemporaryDirectory("cubicle-resumable-options")
        defer { local.remove() }
        try local.write("part", "abc")
        #expect(try await ResumableParts.put(fixture, id, 0, local.file("part")) == 204)
        let done = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(done.status == 201, "\(String(decoding: done.body, as: UTF8.self))")
        let listing = try await fixture.get("\(dir)/new/deeper", ["list": "true"]).json().array
        let entry = try #require(listing.first { $0["name"] as? String == "file.bin" })
        #expect((entry["mode"] as? String)?.hasSuffix("600") == true || (entry["mode"] as? NSNumber)?.intValue == 0o600, "\(entry.value)")

        let clobber = try await start(#"{"path":"\#(deep)","size":3,"overwrite":false}"#)
        #expect(clobber.status == 409, "the file exists: \(String(decoding: clobber.body, as: UTF8.self))")
    }
}
