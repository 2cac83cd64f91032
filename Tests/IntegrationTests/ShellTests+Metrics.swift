import CubicleTestSupport
import Foundation
import Testing

extension ShellTests {
    @Test func shellSessionsAndTheirBytesShowInMetrics() async throws {
        let fixture = try ShellWorkspace.get()
        // Other tests of the suite run alongside: counters only grow, so compare by at least.
        let (before, _) = try await MetricsTests.scrape(fixture.server)
        let marker = "metrics-\(UInt32.random(in: 0...UInt32.max))"
        let shell = ShellClient.connect(fixture.server, path: fixture.path())
        shell.type("echo \(marker)\n")
        try await shell.waitForOutput("\(marker)\r\n")
        shell.type("exit\n")
        #expect(try await shell.ending().status?["status"] as? String == "Success")
        let (after, _) = try await MetricsTests.scrape(fixture.server)
        func grew(_ name: String, _ labels: [String: String] = [:]) -> Double {
            (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0)
        }
        #expect(grew("cubicle_shell_sessions_total") >= 1)
        #expect(grew("cubicle_shell_bytes_total", ["direction": "in"]) >= Double("echo \(marker)\nexit\n".utf8.count))
        #expect(grew("cubicle_shell_bytes_total", ["direction": "out"]) >= Double(2 * marker.utf8.count))
    }
}
