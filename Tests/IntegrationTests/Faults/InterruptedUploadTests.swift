import CubicleTestSupport
import Foundation
import Testing

/// A hundred uploads cut off at random points — by Content-Length or chunked, mid-body, one
/// byte short, or complete but for the chunked terminator — eight at a time, over the file
/// they would replace and over fresh paths: afterwards the original is byte-identical and no
/// partial or temporary file is left.
@Suite(.filesWorkspace) struct InterruptedUploadTests {
    /// How one upload is cut.
    enum Cut: CaseIterable {
        case lengthPrefix, lengthAllButOne, chunkedPrefix, chunkedWithoutTerminator
    }

    static let count = 100
    static let bodySize = 1 << 20

    /// The request bytes of an upload of `body` to `path`, cut as `cut` says.
    static func request(_ fixture: FilesFixture, path: String, body: [UInt8], cut: Cut) -> [UInt8] {
        let target = "/api/v1/workspaces/\(fixture.workspace)/files?path=\(path)"
        var head = "PUT \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(fixture.server.adminToken)\r\n"
        head += "Content-Type: application/octet-stream\r\n"
        switch cut {
        case .lengthPrefix:
            return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body.prefix(Int.random(in: 0..<body.count))
        case .lengthAllButOne:
            return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body.dropLast()
        case .chunkedPrefix, .chunkedWithoutTerminator:
            var bytes = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
            var offset = 0
            while offset < body.count {
                let size = min(body.count - offset, Int.random(in: 1...(128 * 1024)))
                bytes += Array("\(String(size, radix: 16))\r\n".utf8) + body[offset..<(offset + size)] + [13, 10]
                offset += size
            }
            // Without the final "0\r\n\r\n" the body never ends; a prefix cuts anywhere, even
            // inside a chunk-size line.
            return cut == .chunkedPrefix ? Array(bytes.prefix(Int.random(in: 0..<bytes.count))) : bytes
        }
    }

    @Test func hundredInterruptedUploadsLeaveTheOriginalIntactAndNoPartialOrTemporaryFiles() async throws {
        let fixture = try FilesFixture.require()
        let local = try TemporaryDirectory("cubicle-cut")
        defer { local.remove() }
        let directory = "~/cut-\(UUID().uuidString.prefix(8).lowercased())"
        let original = try await FilesFixture.randomFile(local, "original", bytes: Self.bodySize)
        let made = try await fixture.put("\(directory)/target.bin", file: original.path, ["mkdirs": "true"])
        try #require(made.status == 201, "\(String(decoding: made.body, as: UTF8.self))")
        let replacement = try await FilesFixture.randomFile(local, "replacement", bytes: Self.bodySize)
        let body = try await blocking { try [UInt8](Data(contentsOf: URL(fileURLWithPath: replacement.path))) }
        let port = HostileHTTP.port(of: fixture.server.url)

        let plans = (0..<Self.count).map { index in
            (path: index % 5 == 0 ? "\(directory)/fresh-\(index).bin" : "\(directory)/target.bin", cut: Cut.allCases[index % Cut.allCases.count])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() {
                let plan = plans[next]
                next += 1
                group.addTask {
                    let connection = try await RawHTTP.open(port: port)
                    try? await connection.send(Self.request(fixture, path: plan.path, body: body, cut: plan.cut))
                    await connection.close()
                }
            }
            while next < min(8, plans.count) { launch() }
            while try await group.next() != nil {
                if next < plans.count { launch() }
            }
        }

        // The server notices each cut on its own time; wait until nothing but the target is left.
        var names: [String] = []
        do {
            try await eventually("only the original is left in \(directory)", within: 60) {
                names = try await fixture.names(in: directory)
                return names == ["target.bin"]
            }
        } catch {
            Issue.record("left in \(directory): \(names)")
        }
        let partial = names.filter { $0.hasPrefix("fresh-") }.count
        let temporary = names.filter { $0.hasPrefix(".cubicle-upload-") }.count
        let download = try await fixture.get("\(directory)/target.bin")
        let intact = try await FilesFixture.sha256(download.body) == original.sha256
        #expect(partial == 0)
        #expect(temporary == 0)
        #expect(intact, "the original changed: \(download.body.count) bytes")
        print("\(Self.count) interrupted uploads: \(partial) partial, \(temporary) temp, original \(intact ? "intact" : "CHANGED")")
    }
}
