import CubicleModel
import Testing

@testable import KubeClient

@Suite struct WatchDecodingTests {
    @Test func splitterJoinsLinesAcrossChunksAndSplitsSeveralPerChunk() throws {
        var splitter = WatchLineSplitter()
        splitter.append(Array("{\"a\":1}\n{\"b\"".utf8))
        #expect(try splitter.nextLine() == Array("{\"a\":1}".utf8))
        #expect(try splitter.nextLine() == nil)
        splitter.append(Array(":2}\r\n{\"c\":3}\n{\"d\":4}\n".utf8))
        #expect(try splitter.nextLine() == Array("{\"b\":2}".utf8))
        #expect(try splitter.nextLine() == Array("{\"c\":3}".utf8))
        #expect(try splitter.nextLine() == Array("{\"d\":4}".utf8))
        #expect(try splitter.nextLine() == nil)
        #expect(splitter.pendingByteCount == 0)
    }

    @Test func splitterHandlesOneByteChunks() throws {
        var splitter = WatchLineSplitter()
        var lines: [String] = []
        for byte in Array("first\nsecond\nthird".utf8) {
            splitter.append([byte])
            while let line = try splitter.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        #expect(lines == ["first", "second"])
        #expect(splitter.pendingByteCount == 5)
    }

    @Test func splitterRejectsUnboundedLine() {
        var splitter = WatchLineSplitter(maxLineLength: 8)
        splitter.append(Array("0123456789".utf8))
        #expect(throws: KubeError.self) { try splitter.nextLine() }
    }

    @Test func decodesEveryEventType() throws {
        let decode: (JSONValue) throws -> Pod = { try KubeCodec.object(Pod.self, from: $0, context: "Pod") }
        let added = try WatchEvent.decode(
            line: Array(#"{"type":"ADDED","object":{"metadata":{"name":"p","resourceVersion":"5"},"spec":{"containers":[{"name":"c"}]}}}"#.utf8),
            decode: decode)
        #expect(added.object?.metadata.name == "p")
        #expect(added.typeName == "ADDED")
        let deleted = try WatchEvent.decode(line: Array(#"{"type":"DELETED","object":{"metadata":{"name":"p"}}}"#.utf8), decode: decode)
        #expect(deleted.typeName == "DELETED")
        let bookmark = try WatchEvent.decode(
            line: Array(#"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"77"}}}"#.utf8), decode: decode)
        guard case .bookmark(let version) = bookmark else {
            Issue.record("not a bookmark")
            return
        }
        #expect(version == "77")
        let error = try WatchEvent.decode(
            line: Array(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"}}"#.utf8),
            decode: decode)
        guard case .error(let status) = error else {
            Issue.record("not an error")
            return
        }
        #expect(status.code == 410)
        #expect(KubeError.fromStatus(httpStatus: nil, status: status, request: "watch").isGone)
    }

    @Test func unknownEventTypeIsAnError() {
        #expect(throws: KubeError.self) {
            try WatchEvent<JSONValue>.decode(line: Array(#"{"type":"WHAT","object":{}}"#.utf8), decode: { $0 })
        }
    }
}
