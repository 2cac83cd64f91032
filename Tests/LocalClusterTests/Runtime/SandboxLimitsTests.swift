import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod sandbox resource limits")
struct SandboxLimitsTests {
    private static let hog = "python3 -c 'b = bytearray(512 * 1024 * 1024); print(len(b))'"

    @Test func containerAllocatingPastItsMemoryLimitIsReportedOOMKilled() async throws {
        let fixture = try RuntimeFixture()
        let runtime = fixture.runtime()
        let support = try await runtime.support()
        #expect(support.cgroups == .v1 || support.cgroups == .v2, "cgroups: \(support.cgroups)")
        let (exit, log, status) = try await withSandbox(fixture, fixture.spec(), runtime: runtime) { sandbox in
            let result = try await sandbox.run("hog", Self.hog, limits: ResourceLimits(memoryBytes: 48 << 20))
            return (result.exit, result.log, sandbox.status)
        }
        #expect(status.limitsEnforced)
        #expect(exit == .oomKilled, "log: \(log)")
        #expect(exit.reason == "OOMKilled")
    }

    @Test func podMemoryLimitCoversContainersWithoutTheirOwn() async throws {
        let fixture = try RuntimeFixture()
        let spec = fixture.spec(limits: ResourceLimits(memoryBytes: 48 << 20, cpuMillicores: 500))
        let (exit, log) = try await withSandbox(fixture, spec) { sandbox in
            try await sandbox.run("hog", Self.hog)
        }
        #expect(exit == .oomKilled, "log: \(log)")
    }

    @Test func containerWithinItsLimitIsNotReportedOOMKilled() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("small", "python3 -c 'b = bytearray(4 * 1024 * 1024); print(len(b))'",
                                  limits: ResourceLimits(memoryBytes: 128 << 20, cpuMillicores: 250))
        }
        #expect(exit == .exited(0), "log: \(log)")
    }

    @Test func cpuLimitBecomesACFSQuota() async throws {
        let fixture = try RuntimeFixture()
        let quota = try await withSandbox(fixture, fixture.spec(limits: ResourceLimits(cpuMillicores: 250))) { sandbox in
            let cgroup = try #require(sandbox.cgroup)
            guard cgroup.layout.version == 1 else {
                return FileIO.read(cgroup.directories[0] + "/cpu.max")
            }
            let cpu = try #require(zip(cgroup.layout.hierarchies, cgroup.directories).first { $0.0.controllers.contains("cpu") })
            return FileIO.read(cpu.1 + "/cpu.cfs_quota_us")
        }
        #expect(quota == "25000\n" || quota == "25000 100000\n")
    }
}
