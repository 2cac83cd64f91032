#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod sandbox recovery after a crash")
struct SandboxRecoveryTests {
    @Test func recoveryKillsTheSandboxesOfACrashedRuntimeAndCleansUp() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        // The "crashed" runtime: its sandbox and container are never stopped.
        let crashed = fixture.runtime()
        let sandbox = try await crashed.createSandbox(fixture.spec())
        let namespace = try #require(pidNamespace(of: sandbox.infraPID))
        _ = try await sandbox.startContainer(ContainerSpec(
            name: "daemon", argv: ["/bin/sh", "-c", "(setsid sleep 1006 &); exec sleep 1007"]))
        #expect(await eventually { livePIDs(inNamespace: namespace).count >= 4 })
        let victims = ProcFS.identities(inNamespace: namespace)
        #expect(victims.count >= 3)  // the pod's init, sleep 1007, sleep 1006 (the subshell between them may be gone)
        let upper = sandbox.paths.upper
        let cgroups = sandbox.cgroup?.directories ?? []

        let restarted = fixture.runtime()
        let report = try await restarted.recoverLeftovers()

        #expect(report.recoveredPods == [sandbox.spec.podUID])
        #expect(report.killedProcesses >= 4)
        #expect(report.stalePIDs == 0)
        #expect(ProcFS.survivors(victims).isEmpty, "still alive: \(ProcFS.survivors(victims).map(\.pid))")
        #expect(MountTable.mountPoints(under: sandbox.paths.podDirectory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: upper))
        #expect(!FileManager.default.fileExists(atPath: sandbox.recordFile))
        for directory in cgroups {
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
        // The pod can be started again afterwards.
        let again = try await restarted.createSandbox(fixture.spec())
        #expect(again.isAlive)
        await again.stop(grace: .seconds(1))
    }

    @Test func recoveryLeavesAnUnrelatedProcessWithARecycledPIDAlone() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        // Spawned with the runtime's spawner: Foundation's Process would inherit the blocked signal
        // mask of a Dispatch thread, and the bystander could not be terminated afterwards.
        let bystander = try await RuntimeWorker.shared.run { () throws -> RuntimeChild in
            try Spawner.spawn(SpawnRequest(
                executable: "/bin/sleep", arguments: ["sleep", "1008"], environment: [],
                stdin: 0, stdout: 2, stderr: 2))
        }
        let pid = bystander.pid
        defer { bystander.signal(SIGKILL) }
        let stat = try #require(ProcFS.stat(pid))
        let runtime = fixture.runtime()
        let prepared = try await runtime.prepare()
        // A record from "before a reboot": same pid, different start time.
        let stale = SandboxRecord.ProcessIdentity(pid: pid, startTime: stat.startTime + 1)
        let record = SandboxRecord(
            podUID: "stale-\(fixture.tag)", podDirectory: fixture.dataDirectory + "/pods/stale",
            launcher: stale, infra: stale, pidNamespace: ProcFS.pidNamespace(pid), cgroups: [], createdAt: Date())
        let file = prepared.records + "/stale-\(fixture.tag).json"
        try record.encoded().write(toFile: file, atomically: true, encoding: .utf8)

        let report = try await runtime.recoverLeftovers()

        #expect(report.stalePIDs == 2)
        #expect(report.killedProcesses == 0)
        #expect(!bystander.hasExited)
        #expect(ProcFS.isSameProcess(pid, startTime: stat.startTime))
        #expect(!FileManager.default.fileExists(atPath: file))
        bystander.signal(SIGKILL)
        #expect(await bystander.wait() == .signaled(SIGKILL))
    }

    @Test func unreadableRecordsAreDiscarded() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let runtime = fixture.runtime()
        let prepared = try await runtime.prepare()
        let file = prepared.records + "/garbage.json"
        try "{not json".write(toFile: file, atomically: true, encoding: .utf8)
        let report = try await runtime.recoverLeftovers()
        #expect(report.recoveredPods.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: file))
    }
}
