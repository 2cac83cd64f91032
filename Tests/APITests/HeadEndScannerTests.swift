import Testing

@testable import API

/// The head-timeout handler must see the end of a request head however the bytes are split,
/// and never before it.
@Suite struct HeadEndScannerTests {
    @Test func findsTheBlankLineAcrossAnySplit() {
        let head = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        for cut in 0...head.count {
            var scanner = HeadEndScanner()
            let first = scanner.scan(head[..<cut])
            let second = scanner.scan(head[cut...])
            #expect(first == (cut == head.count), "cut at \(cut)")
            #expect(first || second, "cut at \(cut)")
        }
    }

    @Test func partialOrLoneLineEndsAreNotAHeadEnd() {
        for text in ["GET / HTTP/1.1\r\nHost: x\r\n", "GET / HTTP/1.1\n\n", "a\r\r\n\r", "\r\n\r", "x\r\n\rx\n"] {
            var scanner = HeadEndScanner()
            let found = scanner.scan(Array(text.utf8))
            #expect(!found, "\(text.debugDescription)")
        }
        var scanner = HeadEndScanner()
        let found = scanner.scan(Array("a\r\r\n\r\n".utf8))
        #expect(found)
    }
}
