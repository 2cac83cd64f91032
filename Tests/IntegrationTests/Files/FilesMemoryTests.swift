import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

/// Memory stays bounded however large the file: a gibibyte each way through the in-process
/// server must not raise this process's peak RSS by anything near the file's size (unbounded
/// buffering in either direction would add the whole gibibyte).
@Suite struct FilesMemoryTests {
    @Test func aGibibyteEachWayKeepsThePeakMemoryBounded() async throws {
        try await ServerHarness.with(kubelet: .process) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            try #require(job["result"] as? String == "succeeded")
            let fixture = FilesFixture(server: server, workspace: name)
            let local = try TemporaryDirectory("cubicle-rss")
            defer { local.remove() }
            let size = 1 << 30
            let zeros = local.file("zeros")
            try await blocking {
                _ = FileManager.default.createFile(atPath: zeros, contents: nil)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: zeros))
                try handle.truncate(atOffset: UInt64(size))
                try handle.close()
            }
            let bound = 384 << 20
            let url = fixture.url("", ["path": "~/big"])
            let auth = "Authorization: Bearer \(server.adminToken)"

            let before = try await Self.resetPeak()
            let put = try await Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", auth, "-T", zeros, url])
            let uploadGrowth = try await Self.memory("VmHWM") - before
            #expect(put == "201")

            let start = try await Self.resetPeak()
            let got = try await Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", auth, url])
            let downloadGrowth = try await Self.memory("VmHWM") - start
            #expect(got == "200 \(size)")

            #expect(uploadGrowth < bound, "upload raised peak RSS by \(uploadGrowth >> 20) MiB")
            #expect(downloadGrowth < bound, "download raised peak RSS by \(downloadGrowth >> 20) MiB")
        }
    }

    /// Runs curl quietly; answers what `-w` printed.
    static func curl(_ arguments: [String]) async throws -> String {
        try await blocking {
            try Program.run("/usr/bin/curl", ["-sS"] + arguments).output
        }
    }

    /// `VmRSS` or `VmHWM` of this process in bytes.
    static func memory(_ field: String) async throws -> Int {
        try await blocking {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
                  let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else {
                throw TestFailure("no \(field) in /proc/self/status")
            }
            return kib * 1024
        }
    }

    /// Resets the peak (`VmHWM`) to the current RSS and answers it.
    static func resetPeak() async throws -> Int {
        try await blocking { try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
        return try await memory("VmRSS")
    }
}
