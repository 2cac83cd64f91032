import CubicleTestSupport
import Foundation
import Testing

/// Resumable uploads through a server restart: the upload record lives in the store, the bytes
/// in the workspace's home volume, and both survive the restart.
@Suite struct ResumableUploadRestartTests {
    @Test func partsOutOfOrderWithARetriedPartAndARestartBetweenThemComplete() async throws {
        var server = try await ServerHarness.start(kubelet: .process)
        do {
            try await Self.run(&server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private static func run(_ server: inout ServerHarness) async throws {
        let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
        let name = try #require(reply["workspace"] as? String)
        let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
        try #require(job["result"] as? String == "succeeded")
        var fixture = FilesFixture(server: server, workspace: name)

        let local = try TemporaryDirectory("cubicle-resume")
        defer { local.remove() }
        let partSize = 8 << 20
        let size = 2 * partSize + 4097
        let source = try await FilesFixture.randomFile(local, "src", bytes: size)
        let parts = try await ResumableParts.split(source.path, partSize: partSize, into: local)
        let garbage = try await FilesFixture.randomFile(local, "garbage", bytes: partSize)

        let started = try await fixture.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d",
                                              #"{"path":"~/resumed.bin","size":\#(size),"sha256":"\#(source.sha256)"}"#,
                                              fixture.url("/uploads")])
        #expect(started.status == 201, "\(String(decoding: started.body, as: UTF8.self))")
        let ticket = try JSONObject(started.body)
        let id = try #require(ticket["uploadId"] as? String)
        #expect((ticket["partSize"] as? NSNumber)?.intValue == partSize)
        #expect(ticket["expiresAt"] is String)

        let first = fixture
        let lastPart = parts[2]
        async let last = ResumableParts.put(first, id, 2, lastPart)
        async let wrongFirst = ResumableParts.put(first, id, 0, garbage.path)
        #expect(try await last == 204)
        #expect(try await wrongFirst == 204)
        let early = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(early.status == 409, "complete with a part missing")

        // A plain PUT is streaming when the server stops: the old file must survive byte for
        // byte and its temporary file must not outlive the next upload into the directory.
        #expect(try await fixture.put("~/keep.txt", text: "the original").status == 201)
        let streaming = try await Self.startStreamingPut(fixture, path: "~/keep.txt", resumableID: id)

        server = try await server.restarted()
        fixture = FilesFixture(server: server, workspace: name)
        await streaming.close()
        try await eventually("the workspace runs again and takes a plain upload", within: 120) {
            try await fixture.put("~/after.txt", text: "after").status == 201
        }
        #expect(String(decoding: try await fixture.get("~/keep.txt").body, as: UTF8.self) == "the original")
        #expect(try await fixture.names(in: "~").filter { $0.hasPrefix(".cubicle-upload") } == [".cubicle-upload-\(id)"],
                "only the resumable upload's temporary file remains")
        let status = try await fixture.curl([fixture.url("/uploads/\(id)")])
        #expect(status.status == 200)
        #expect(try JSONObject(status.body)["missing"] as? [Int] == [1])
        #expect(try JSONObject(status.body).list("parts").compactMap { ($0["number"] as? NSNumber)?.intValue } == [0, 2])

        try await eventually("the workspace runs again and takes part 1", within: 120) {
            try await ResumableParts.put(fixture, id, 1, parts[1]) == 204
        }
        let mismatch = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(mismatch.status == 409, "part 0 still holds the wrong bytes: \(String(decoding: mismatch.body, as: UTF8.self))")
        #expect(try await ResumableParts.put(fixture, id, 0, parts[0]) == 204)

        let completed = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(completed.status == 201, "\(String(decoding: completed.body, as: UTF8.self))")
        #expect(try JSONObject(completed.body)["sha256"] as? String == source.sha256)
        let downloaded = try await fixture.get("~/resumed.bin")
        #expect(downloaded.body.count == size)
        #expect(try await FilesFixture.sha256(downloaded.body) == source.sha256)
        #expect(try await fixture.curl([fixture.url("/uploads/\(id)")]).status == 404)
        #expect(try await fixture.names(in: "~").filter { $0.hasPrefix(".cubicle-upload") }.isEmpty)
    }
}

extension ResumableUploadRestartTests {
    /// Sends the head and 1 MiB of an 8 MiB PUT and returns once its temporary file exists.
    static func startStreamingPut(_ fixture: FilesFixture, path: String, resumableID: String) async throws -> RawHTTP {
        let target = try #require(URL(string: fixture.url("", ["path": path])))
        let socket = try await RawHTTP.open(port: target.port ?? 80)
        let head = "PUT \(target.path)?\(target.query ?? "") HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(fixture.server.adminToken)\r\nContent-Length: \(8 << 20)\r\n\r\n"
        try await socket.send(Array(head.utf8) + [UInt8](repeating: 0x41, count: 1 << 20))
        try await eventually("the streaming upload's temporary file appears", within: 90) {
            try await fixture.names(in: "~").contains { $0.hasPrefix(".cubicle-upload-") && $0 != ".cubicle-upload-\(resumableID)" }
        }
        return socket
    }
}

/// Helpers for sending parts.
enum ResumableParts {
    /// Writes the parts of `path` to separate files.
    static func split(_ path: String, partSize: Int, into dir: TemporaryDirectory) async throws -> [String] {
        try await blocking {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try stride(from: 0, to: data.count, by: partSize).enumerated().map { index, offset in
                let file = dir.file("part\(index)")
                try data[offset..<min(data.count, offset + partSize)].write(to: URL(fileURLWithPath: file))
                return file
            }
        }
    }

    /// `PUT …/uploads/:id/parts/:n` with the bytes of `file`; answers the status.
    static func put(_ fixture: FilesFixture, _ id: String, _ number: Int, _ file: String) async throws -> Int {
        try await fixture.curl(["-X", "PUT", "--data-binary", "@\(file)", "-H", "Content-Type: application/octet-stream",
                                fixture.url("/uploads/\(id)/parts/\(number)")]).status
    }
}
