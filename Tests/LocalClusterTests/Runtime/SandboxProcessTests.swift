#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod sandbox processes")
struct SandboxProcessTests {
    @Test func processListInsideThePodShowsOnlyThePod() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("ps", "ps -e -o pid=,comm=")
        }
        #expect(exit == .exited(0), "log: \(log)")
        let rows = log.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let commands = Set(rows.compactMap { $0.last })
        // pid 1 is the infra shell holding the namespaces, with its sleep; then the container.
        #expect(commands.isSubset(of: ["sh", "sleep", "ps"]), "saw: \(commands)")
        #expect(rows.contains { $0.first == "1" && $0.last == "sh" })
        #expect(rows.count <= 4)
    }

    @Test func exitCodeOfTheContainerPropagates() async throws {
        let fixture = try RuntimeFixture()
        let exit = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("three", "exit 3").exit
        }
        #expect(exit == .exited(3))
        #expect(exit.exitCode == 3)
    }

    @Test func containerKilledBySignalReportsTheSignal() async throws {
        let fixture = try RuntimeFixture()
        let exit = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("usr1", "kill -USR1 $$").exit
        }
        #expect(exit == .signaled(SIGUSR1))
    }

    @Test func stoppingAContainerSendsTermAndWaitsForIt() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            let handle = try await sandbox.startContainer(ContainerSpec(
                name: "polite", argv: ["/bin/sh", "-c", "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 1; done"]))
            #expect(await eventually { ((try? String(contentsOfFile: handle.logPath, encoding: .utf8)) ?? "").contains("up") })
            let exit = await handle.stop(grace: .seconds(30))
            return (exit, try String(contentsOfFile: handle.logPath, encoding: .utf8))
        }
        #expect(exit == .exited(0))
        #expect(log.contains("bye"))
    }

    @Test func containerIgnoringTermIsKilledAfterTheGracePeriod() async throws {
        let fixture = try RuntimeFixture()
        let exit = try await withSandbox(fixture, fixture.spec()) { sandbox in
            let handle = try await sandbox.startContainer(ContainerSpec(
                name: "stubborn", argv: ["/bin/sh", "-c", "trap '' TERM; echo up; while :; do sleep 1; done"]))
            #expect(await eventually { ((try? String(contentsOfFile: handle.logPath, encoding: .utf8)) ?? "").contains("up") })
            return await handle.stop(grace: .milliseconds(200))
        }
        #expect(exit == .signaled(SIGKILL))
    }

    @Test func stopLeavesNoProcessMountOrCgroupOfThePod() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let runtime = fixture.runtime()
        let sandbox = try await runtime.createSandbox(fixture.spec())
        let namespace = try #require(pidNamespace(of: sandbox.infraPID))
        // A daemon that double-forks out of the container's session, plus a plain child.
        let handle = try await sandbox.startContainer(ContainerSpec(
            name: "main", argv: ["/bin/sh", "-c", "(setsid sh -c 'exec sleep 1001' &); sleep 1002 & exec sleep 1003"]))
        #expect(await eventually { livePIDs(inNamespace: namespace).count >= 5 })
        let cgroupDirectories = sandbox.cgroup?.directories ?? []
        let podPIDs = Set(livePIDs(inNamespace: namespace))
        await sandbox.stop(grace: .seconds(1))
        // Compared by pid too: once the namespace is gone, a sandbox another test creates may get
        // the same namespace inode number.
        #expect(Set(livePIDs(inNamespace: namespace)).isDisjoint(with: podPIDs))
        #expect(!sandbox.isAlive)
        #expect(handle.hasExited)
        #expect(MountTable.mountPoints(under: sandbox.paths.podDirectory).isEmpty)
        for directory in cgroupDirectories {
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.recordFile))
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.upper))
        #expect(FileManager.default.fileExists(atPath: handle.logPath))
        #expect(runtime.sandbox(forPod: sandbox.spec.podUID) == nil)
    }

    @Test func leftoverProcessesOfAnExitedContainerAreKilled() async throws {
        let fixture = try RuntimeFixture()
        let survivors = try await withSandbox(fixture, fixture.spec()) { sandbox in
            let namespace = try #require(pidNamespace(of: sandbox.infraPID))
            let before = livePIDs(inNamespace: namespace).count
            let result = try await sandbox.run("forker", "sleep 1004 & sleep 1005 & echo started")
            #expect(result.exit == .exited(0))
            return livePIDs(inNamespace: namespace).count - before
        }
        #expect(survivors <= 0)
    }

    @Test func containersRunConcurrentlyAndRestartUnderTheSameName() async throws {
        let fixture = try RuntimeFixture()
        let exits = try await withSandbox(fixture, fixture.spec()) { sandbox in
            let first = try await sandbox.run("job", "exit 1").exit
            let second = try await sandbox.run("job", "exit 0").exit
            return [first, second]
        }
        #expect(exits == [.exited(1), .exited(0)])
    }

    @Test func startingAContainerInAStoppedSandboxFails() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let sandbox = try await fixture.runtime().createSandbox(fixture.spec())
        await sandbox.stop(grace: .seconds(1))
        do throws(RuntimeError) {
            _ = try await sandbox.startContainer(ContainerSpec(name: "late", argv: ["true"]))
            Issue.record("a stopped sandbox started a container")
        } catch {
            #expect(error.kind == .notRunning)
        }
    }
}
