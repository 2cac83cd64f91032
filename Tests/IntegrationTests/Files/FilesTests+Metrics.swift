import CubicleTestSupport
import Foundation
import Testing

extension FilesTests {
    @Test func transfersAndTheirBytesShowInMetrics() async throws {
        let fixture = try FilesFixture.require()
        let dir = try await Self.scratch(fixture)
        // Other tests of the suite run alongside: counters only grow, so compare by at least.
        let (before, _) = try await MetricsTests.scrape(fixture.server)
        let text = String(repeating: "metrics ", count: 4096)
        #expect(try await fixture.put("\(dir)/m.txt", text: text).status == 201)
        let got = try await fixture.get("\(dir)/m.txt")
        #expect(got.body.count == text.utf8.count)
        let size = Double(text.utf8.count)
        // The download is counted once its body is finished, which may trail the client by a moment.
        var after = before
        func grew(_ name: String, _ labels: [String: String]) -> Double {
            (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0)
        }
        try await eventually("the download is counted") {
            (after, _) = try await MetricsTests.scrape(fixture.server)
            return grew("cubicle_file_transfers_total", ["direction": "download", "result": "succeeded"]) >= 1
        }
        #expect(grew("cubicle_file_bytes_total", ["direction": "upload"]) >= size)
        #expect(grew("cubicle_file_bytes_total", ["direction": "download"]) >= size)
        #expect(grew("cubicle_file_transfers_total", ["direction": "upload", "result": "succeeded"]) >= 1)
    }
}
