import CubicleTestSupport
import Foundation
import Glibc
import Testing

/// Files over SFTP through the HTTP API against one real workspace (process kubelet, the
/// workspace's own sshd, the workspace user's permissions).
@Suite(.filesWorkspace) struct FilesTests {
    /// A fresh directory in the workspace user's home for one test.
    static func scratch(_ fixture: FilesFixture) async throws -> String {
        let dir = "~/t-\(UUID().uuidString.prefix(8).lowercased())"
        let made = try await fixture.put("\(dir)/.keep", text: "", ["mkdirs": "true"])
        try #require(made.status == 201, "\(String(decoding: made.body, as: UTF8.self))")
        return dir
    }

    @Test func multiMiBRandomFileRoundTripsWithMatchingSHA256AndHeaders() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let local = try TemporaryDirectory("cubicle-files")
        defer { local.remove() }
        let size = 12 << 20 + 12_345
        let source = try await FilesFixture.randomFile(local, "src", bytes: size)

        let put = try await fixture.put("\(dir)/blob.bin", file: source.path)
        #expect(put.status == 201, "\(String(decoding: put.body, as: UTF8.self))")
        let answer = try JSONObject(put.body)
        #expect(answer["sha256"] as? String == source.sha256)
        #expect((answer["size"] as? NSNumber)?.intValue == size)
        #expect((answer["path"] as? String)?.hasPrefix("/home/admin/t-") == true)
        #expect((answer["path"] as? String)?.hasSuffix("/blob.bin") == true)

        let got = try await fixture.get("\(dir)/blob.bin")
        #expect(got.status == 200)
        #expect(got.body.count == size)
        #expect(try await FilesFixture.sha256(got.body) == source.sha256)
        #expect(got.headers["content-length"] == "\(size)")
        #expect(got.headers["content-type"] == "application/octet-stream")
        #expect(got.headers["etag"]?.hasPrefix("\"") == true)
        #expect(got.headers["last-modified"]?.hasSuffix(" GMT") == true)
        #expect(got.headers["content-disposition"]?.contains("filename=\"blob.bin\"") == true)
        #expect(try await fixture.names(in: dir).filter { $0.hasPrefix(".cubicle-upload") }.isEmpty)
    }

    @Test func rangesAnswer206WithTheRightBytesAnd416OutsideTheFile() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let text = (0..<1000).map { String(format: "%04d", $0) }.joined()
        #expect(try await fixture.put("\(dir)/r.txt", text: text).status == 201)
        let bytes = Array(text.utf8)

        let middle = try await fixture.get("\(dir)/r.txt", headers: ["Range": "bytes=100-199"])
        #expect(middle.status == 206)
        #expect(Array(middle.body) == Array(bytes[100...199]))
        #expect(middle.headers["content-range"] == "bytes 100-199/4000")
        let tail = try await fixture.get("\(dir)/r.txt", headers: ["Range": "bytes=3990-"])
        #expect(tail.status == 206)
        #expect(Array(tail.body) == Array(bytes[3990...]))
        let suffix = try await fixture.get("\(dir)/r.txt", headers: ["Range": "bytes=-7"])
        #expect(suffix.status == 206)
        #expect(Array(suffix.body) == Array(bytes[3993...]))
        #expect(suffix.headers["content-range"] == "bytes 3993-3999/4000")

        let outside = try await fixture.get("\(dir)/r.txt", headers: ["Range": "bytes=4000-"])
        #expect(outside.status == 416)
        #expect(outside.headers["content-range"] == "bytes */4000")
        #expect(try outside.json()["code"] as? String == "range_not_satisfiable")

        let stale = try await fixture.get("\(dir)/r.txt", headers: ["Range": "bytes=0-9", "If-Range": "\"stale\""])
        #expect(stale.status == 200)
        #expect(stale.body.count == 4000)
    }

    @Test func directoriesAreListedOnlyOnRequestAndHiddenNamesOnlyWithHidden() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/visible.txt", text: "hello").status == 201)
        #expect(try await fixture.put("\(dir)/sub/inner.txt", text: "x", ["mkdirs": "true"]).status == 201)

        let refused = try await fixture.get(dir)
        #expect(refused.status == 400)
        #expect(try refused.json()["code"] as? String == "invalid_request")

        let listing = try await fixture.get(dir, ["list": "true"])
        #expect(listing.status == 200)
        let entries = try listing.json().array
        #expect(entries.compactMap { $0["name"] as? String } == ["sub", "visible.txt"])
        let file = try #require(entries.first { $0["name"] as? String == "visible.txt" })
        #expect((file["size"] as? NSNumber)?.intValue == 5)
        #expect(file["isDir"] as? Bool == false)
        #expect((file["path"] as? String)?.hasSuffix("\(dir.dropFirst(2))/visible.txt") == true)
        #expect((file["mode"] as? String)?.count == 4)
        #expect(file["modTime"] is String)
        #expect(entries.first { $0["name"] as? String == "sub" }?["isDir"] as? Bool == true)

        #expect(try await fixture.names(in: dir) == [".keep", "sub", "visible.txt"])
        let empty = try await fixture.get("\(dir)/.keep")
        #expect(empty.status == 200)
        #expect(empty.body.isEmpty)
        #expect(empty.headers["content-length"] == "0")
    }

    @Test func uploadCutOffMidBodyLeavesTheOldFileByteIdenticalAndNoTemporaryFile() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/keep.txt", text: "the original").status == 201)
        let path = "\(dir)/keep.txt"
        let target = URL(string: fixture.url("", ["path": path]))!
        for chunked in [false, true] {
            let socket = try await RawHTTP.open(port: target.port ?? 80)
            var head = "PUT \(target.path)?\(target.query ?? "") HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            head += "Authorization: Bearer \(fixture.server.adminToken)\r\n"
            head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(8 << 20)\r\n\r\n"
            let piece = [UInt8](repeating: 0x41, count: 1 << 20)
            var body = piece
            if chunked { body = Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Array("\r\n".utf8) }
            try await socket.send(Array(head.utf8) + body)
            try await eventually("the upload's temporary file appears", within: 90) {
                try await fixture.names(in: dir).contains { $0.hasPrefix(".cubicle-upload-") }
            }
            await socket.close()
            try await eventually("the temporary file is removed (chunked: \(chunked))", within: 90) {
                try await !fixture.names(in: dir).contains { $0.hasPrefix(".cubicle-upload-") }
            }
            let after = try await fixture.get(path)
            #expect(String(decoding: after.body, as: UTF8.self) == "the original", "chunked: \(chunked)")
        }
    }

    @Test func shortBodyAgainstContentLengthIsRefusedAndChangesNothing() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/s.txt", text: "before").status == 201)
        let target = URL(string: fixture.url("", ["path": "\(dir)/s.txt"]))!
        let socket = try await RawHTTP.open(port: target.port ?? 80)
        let head = "PUT \(target.path)?\(target.query ?? "") HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.server.adminToken)\r\n"
            + "Content-Length: 100\r\n\r\nonly-ten!!"
        try await socket.send(Array(head.utf8))
        try await socket.shutdownWrite()
        await socket.close()
        try await eventually("no temporary file remains", within: 90) {
            try await !fixture.names(in: dir).contains { $0.hasPrefix(".cubicle-upload-") }
        }
        #expect(String(decoding: try await fixture.get("\(dir)/s.txt").body, as: UTF8.self) == "before")
    }

    @Test func expectContinueGetsAnInterim100BeforeTheBodyIsSent() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let target = URL(string: fixture.url("", ["path": "\(dir)/e.txt"]))!
        let socket = try await RawHTTP.open(port: target.port ?? 80)
        defer { Task { await socket.close() } }
        let head = "PUT \(target.path)?\(target.query ?? "") HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.server.adminToken)\r\n"
            + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        try await socket.send(Array(head.utf8))
        let interim = try await socket.receive(until: "\r\n\r\n")
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim)")
        try await socket.send(Array("hello".utf8))
        let final = try await socket.receive(until: "}")
        #expect(final.contains("HTTP/1.1 201"), "\(final)")
        #expect(String(decoding: try await fixture.get("\(dir)/e.txt").body, as: UTF8.self) == "hello")
    }

    @Test func overwriteFalseAnswers409AndKeepsTheExistingFile() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/o.txt", text: "first").status == 201)
        let refused = try await fixture.put("\(dir)/o.txt", text: "second", ["overwrite": "false"])
        #expect(refused.status == 409)
        #expect(try JSONObject(refused.body)["code"] as? String == "already_exists")
        #expect(String(decoding: try await fixture.get("\(dir)/o.txt").body, as: UTF8.self) == "first")
        #expect(try await fixture.put("\(dir)/new.txt", text: "n", ["overwrite": "false"]).status == 201)
        #expect(try await fixture.put("\(dir)/o.txt", text: "second").status == 201)
        #expect(String(decoding: try await fixture.get("\(dir)/o.txt").body, as: UTF8.self) == "second")
    }

    @Test func uploadsOverTheLimitAre413ByContentLengthAndMidStream() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/big.bin", text: "old").status == 201)
        let local = try TemporaryDirectory("cubicle-limit")
        defer { local.remove() }
        let source = try await FilesFixture.randomFile(local, "big", bytes: Int(FilesFixture.uploadLimit) + 1)
        let url = fixture.url("", ["path": "\(dir)/big.bin"])

        let declared = try await fixture.curl(["-T", source.path, url])
        #expect(declared.status == 413)
        #expect(try JSONObject(declared.body)["code"] as? String == "payload_too_large")

        let streamed = try await fixture.curl(["-T", "-", url], stdin: source.path)
        #expect(streamed.status == 413)
        try await eventually("no temporary file remains", within: 90) {
            try await !fixture.names(in: dir).contains { $0.hasPrefix(".cubicle-upload-") }
        }
        #expect(String(decoding: try await fixture.get("\(dir)/big.bin").body, as: UTF8.self) == "old")
    }

    @Test func mkdirsCreatesParentsAndModeSetsThePermissionBits() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let missing = try await fixture.put("\(dir)/a/b/c.txt", text: "x")
        #expect(missing.status == 404)
        #expect(try await fixture.put("\(dir)/a/b/c.txt", text: "x", ["mkdirs": "true", "mode": "0600"]).status == 201)
        let listing = try await fixture.get("\(dir)/a/b", ["list": "true"]).json().array
        #expect(listing.first?["mode"] as? String == "0600")
        #expect(try await fixture.put("\(dir)/a/b/c.txt", text: "y", ["mode": "0750"]).status == 201)
        #expect(try await fixture.get("\(dir)/a/b", ["list": "true"]).json().array.first?["mode"] as? String == "0750")
        // Without mode a replaced file keeps its bits.
        #expect(try await fixture.put("\(dir)/a/b/c.txt", text: "z").status == 201)
        #expect(try await fixture.get("\(dir)/a/b", ["list": "true"]).json().array.first?["mode"] as? String == "0750")
        #expect(try await fixture.put("\(dir)/m.txt", text: "x", ["mode": "9999"]).status == 400)
    }

    @Test func hostilePathsAreRefusedOrConfinedToTheWorkspaceUserNeverA500() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let long = "/" + String(repeating: "a/", count: 2100)
        let cases: [(String, Int)] = [
            ("", 400), ("relative/path", 400), ("~root/.bashrc", 400), ("/tmp/a\u{0}b", 400), ("/tmp/\n", 400),
            (long, 400), ("/" + String(repeating: "n", count: 300), 400),
            ("/etc/shadow", 403), ("~/../../etc/passwd", 200), ("/dev/zero", 400),
            ("\(dir)/no-such-file", 404), ("/../../../../etc/passwd", 200),
        ]
        for (path, status) in cases {
            let reply = try await fixture.get(path)
            #expect(reply.status == status, "GET \(path.prefix(40)): \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
            if status >= 400 { #expect(try reply.json()["msg"] is String) }
        }
        let writes: [(String, Int)] = [
            ("/etc/cubicle-test", 403), ("~/../../etc/cubicle-test", 403), ("/", 400), ("~", 409), ("\(dir)/..", 400),
            ("\(dir)/\u{0}", 400),
        ]
        for (path, status) in writes {
            let reply = try await fixture.put(path, text: "x")
            #expect(reply.status == status, "PUT \(path.prefix(40)): \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
        }
        let deleteRoot = try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "/", "recursive": "true"])])
        #expect(deleteRoot.status == 400)
        let deleteEtc = try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "/etc/hostname"])])
        #expect(deleteEtc.status == 403)
    }

    @Test func deleteRemovesFilesAndTreesOnlyWhenRecursive() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        #expect(try await fixture.put("\(dir)/tree/x/y.txt", text: "y", ["mkdirs": "true"]).status == 201)
        let notEmpty = try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "\(dir)/tree"])])
        #expect(notEmpty.status == 409)
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "\(dir)/tree", "recursive": "true"])]).status == 204)
        #expect(try await fixture.get("\(dir)/tree").status == 404)
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "\(dir)/.keep"])]).status == 204)
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "\(dir)/.keep"])]).status == 404)
    }

    @Test func anotherUsersWorkspaceIs404ForEveryFileRoute() async throws {
        let fixture = try FilesFixture.require()
        let bob = try await fixture.server.makeUser("bob-\(UUID().uuidString.prefix(6).lowercased())")
        #expect(try await fixture.get("~/x", token: bob).status == 404)
        #expect(try await fixture.curl(["-T", "/dev/null", fixture.url("", ["path": "~/x"])], token: bob).status == 404)
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("", ["path": "~/x"])], token: bob).status == 404)
        let start = try await fixture.curl(["-X", "POST", "-d", #"{"path":"~/x","size":1}"#, fixture.url("/uploads")], token: bob)
        #expect(start.status == 404)
    }
}

extension FilesTests {
    @Test func resumableUploadRefusesWrongPartsMissingPartsAndABadHashAndAbortRemovesItsFile() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        let local = try TemporaryDirectory("cubicle-parts")
        defer { local.remove() }
        let small = try await FilesFixture.randomFile(local, "small", bytes: 1000)
        let body = #"{"path":"\#(dir)/r.bin","size":1000,"sha256":"\#(String(repeating: "0", count: 64))"}"#
        let started = try await fixture.curl(["-X", "POST", "-d", body, fixture.url("/uploads")])
        #expect(started.status == 201)
        let id = try #require(try JSONObject(started.body)["uploadId"] as? String)
        #expect(try await fixture.names(in: dir).contains(".cubicle-upload-\(id)"))

        #expect(try await ResumableParts.put(fixture, id, 1, small.path) == 400, "there is only part 0")
        #expect(try await ResumableParts.put(fixture, id, 0, "/etc/hostname") == 400, "part 0 must be 1000 bytes")
        #expect(try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")]).status == 409)
        #expect(try await ResumableParts.put(fixture, id, 0, small.path) == 204)
        let mismatch = try await fixture.curl(["-X", "POST", fixture.url("/uploads/\(id)/complete")])
        #expect(mismatch.status == 409)
        #expect(String(decoding: mismatch.body, as: UTF8.self).contains(small.sha256))
        #expect(try await fixture.get("\(dir)/r.bin").status == 404)

        let stranger = try await fixture.server.makeUser("eve-\(UUID().uuidString.prefix(6).lowercased())")
        #expect(try await fixture.curl([fixture.url("/uploads/\(id)")], token: stranger).status == 404)
        #expect(try await fixture.curl(["-X", "DELETE", fixture.url("/uploads/\(id)")]).status == 204)
        #expect(try await fixture.curl([fixture.url("/uploads/\(id)")]).status == 404)
        #expect(try await !fixture.names(in: dir).contains { $0.hasPrefix(".cubicle-upload-") })

        let tooBig = try await fixture.curl(["-X", "POST", "-d", #"{"path":"\#(dir)/x","size":\#(FilesFixture.uploadLimit + 1)}"#,
                                             fixture.url("/uploads")])
        #expect(tooBig.status == 413)
        let badHash = try await fixture.curl(["-X", "POST", "-d", #"{"path":"\#(dir)/x","size":1,"sha256":"xyz"}"#, fixture.url("/uploads")])
        #expect(badHash.status == 400)
    }
}
