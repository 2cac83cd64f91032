import Foundation
import Hummingbird
import Testing

@testable import API

/// Query strings and form bodies decode as `application/x-www-form-urlencoded`, the way every
/// outside client (Python's `urlencode`, `requests`, Kubernetes client libraries) encodes them.
struct FormEncodingTests {
    @Test func plusIsASpaceAndPercent2BIsALiteralPlus() {
        #expect(FormEncoding.decode("%7E%2Fmy+file.txt") == "~/my file.txt")
        #expect(FormEncoding.decode("a%2Bb") == "a+b")
        #expect(FormEncoding.decode("echo+out;+exit+3") == "echo out; exit 3")
        #expect(FormEncoding.decode("%e2%9c%93") == "✓")
    }

    @Test func malformedEscapesStayAsSentAndNeverTrap() {
        for text in ["%", "%4", "%zz", "100%", "a%2", "%G1"] {
            #expect(FormEncoding.decode(text[...]) == text, "\(text)")
        }
        #expect(FormEncoding.decode("%41%") == "A%")
        #expect(FormEncoding.decode("%%41") == "%A")
        #expect(FormEncoding.decode("%ff") == "\u{FFFD}")
    }

    @Test func keysDecodeLikeValuesAndRepeatsKeepTheirOrder() {
        let pairs = FormEncoding.pairs("command=sh&com%6Dand=-c&command=echo+1%2B1&&flag&empty=")
        #expect(pairs.map { "\($0.key)=\($0.value)" } == ["command=sh", "command=-c", "command=echo 1+1", "flag=", "empty="])
    }

    @Test func requestQueryIsTheFormDecodedOne() {
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/f?path=%7E%2Fmy+file.txt&command=a+b&command=c%2Bd"),
            body: .init(buffer: ByteBuffer()))
        #expect(request.query["path"] == "~/my file.txt")
        #expect(request.query[values: "command"] == ["a b", "c+d"])
        let bare = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/f"), body: .init(buffer: ByteBuffer()))
        #expect(bare.query.isEmpty)
    }

    /// Every route reads its query through `Request.query`; the raw `uri.queryParameters` keeps
    /// `+` and would bring the defect back.
    @Test func noRouteReadsTheUndecodedQuery() throws {
        var sources = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { sources.deleteLastPathComponent() }
        sources.appendPathComponent("Sources/API")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 20)
        for file in files where file != "Wire/FormEncoding.swift" {
            let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
            #expect(!text.contains("uri.queryParameters"), "\(file) reads the query without form decoding")
        }
    }
}
