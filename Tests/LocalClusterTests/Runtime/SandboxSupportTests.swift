#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import LocalCluster

@Suite("Sandbox support detection")
struct SandboxSupportTests {
    @Test func probeAsRootFindsAPrivilegedSandboxAndCgroups() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        try #require(geteuid() == 0, "the runtime tests run as root")
        let support = await SandboxSupport.probe(workDirectory: fixture.dataDirectory)
        #expect(support.isolation == .privileged, "\(support)")
        #expect(support.cgroups == .v1 || support.cgroups == .v2, "\(support)")
        #expect(FileIO.list(fixture.dataDirectory) == [], "the probe leaves nothing behind")
    }

    @Test func probeAsAnUnprivilegedUserFallsBackToAUserNamespace() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let support = await SandboxSupport.probe(workDirectory: fixture.dataDirectory, runAs: SandboxCredentials(uid: 65534, gid: 65534))
        #expect(support.isolation == .userNamespace, "\(support)")
        #expect(support.userNamespaceFlags.starts(with: ["--user", "--map-root-user"]))
        #expect(FileIO.list(fixture.dataDirectory) == [], "the probe leaves nothing behind")
    }

    @Test func missingToolsMakeTheSandboxUnavailableWithTheirNames() {
        let isolation = SandboxSupport.decide(.init(euid: 0, missingTools: ["nsenter", "pivot_root"]))
        guard case .unavailable(let reason) = isolation else {
            Issue.record("expected unavailable, got \(isolation)")
            return
        }
        #expect(reason.contains("nsenter, pivot_root"))
    }

    @Test func nonRootWithoutUserNamespacesExplainsWhy() {
        let facts = SandboxSupport.Facts(
            euid: 1000, userNamespaceTrial: .failed("unshare: write failed /proc/self/uid_map: Operation not permitted"),
            userNamespaceSysctl: "kernel.unprivileged_userns_clone=0")
        guard case .unavailable(let reason) = SandboxSupport.decide(facts) else {
            Issue.record("expected unavailable")
            return
        }
        #expect(reason.contains("not running as root"))
        #expect(reason.contains("uid_map"))
        #expect(reason.contains("kernel.unprivileged_userns_clone=0"))
    }

    @Test func rootThatCannotMountFallsBackToAUserNamespace() {
        let facts = SandboxSupport.Facts(euid: 0, privilegedTrial: .failed("mount: permission denied"), userNamespaceTrial: .succeeded)
        #expect(SandboxSupport.decide(facts) == .userNamespace)
        #expect(SandboxSupport.decide(.init(euid: 0, privilegedTrial: .succeeded)) == .privileged)
        #expect(SandboxSupport.decide(.init(euid: 0, overlayAvailable: false, privilegedTrial: .succeeded))
            != .privileged)
    }

    @Test func creatingASandboxWithoutSupportFailsWithATypedReason() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let unavailable = SandboxSupport(
            isolation: .unavailable(reason: "not running as root; user namespaces do not work (EPERM)"),
            cgroups: .unavailable(reason: "none"), tools: nil, cgroupLayout: nil)
        let runtime = fixture.runtime(support: unavailable)
        do throws(RuntimeError) {
            _ = try await runtime.createSandbox(fixture.spec())
            Issue.record("created a sandbox without support")
        } catch {
            #expect(error.kind == .sandboxUnavailable)
            #expect(error.code.rawValue == "sandbox_unavailable")
            #expect(error.message == "sandbox unavailable: not running as root; user namespaces do not work (EPERM)")
        }
    }

    @Test func userNamespaceSandboxRunsContainersLikeAPrivilegedOne() async throws {
        let fixture = try RuntimeFixture()
        let probed = await SandboxSupport.probe(workDirectory: fixture.dataDirectory)
        let runtime = fixture.runtime(support: probed.forcingUserNamespace())
        let spec = fixture.spec("userns")
        let results = try await withSandbox(fixture, spec, runtime: runtime) { sandbox in
            #expect(sandbox.status.isolation == .userNamespace)
            let look = try await sandbox.run("look", "hostname; id -u; ps -e -o comm= | sort | tr '\\n' ' '; script -qc tty /dev/null")
            let code = try await sandbox.run("code", "exit 5").exit
            let stubborn = try await sandbox.startContainer(ContainerSpec(
                name: "stubborn", argv: ["/bin/sh", "-c", "trap 'echo bye; exit 4' TERM; echo up; while :; do sleep 1; done"]))
            #expect(await eventually { ((try? String(contentsOfFile: stubborn.logPath, encoding: .utf8)) ?? "").contains("up") })
            let stopped = await stubborn.stop(grace: .seconds(30))
            return (look, code, stopped)
        }
        #expect(results.0.exit == .exited(0), "log: \(results.0.log)")
        #expect(results.0.log.hasPrefix("\(spec.hostname)\n0\n"))
        #expect(results.0.log.contains("/dev/pts/0"))
        #expect(results.1 == .exited(5))
        #expect(results.2 == .exited(4))
    }

    @Test func unprivilegedUserRunsAPodEndToEnd() async throws {
        let fixture = try RuntimeFixture()
        let nobody = SandboxCredentials(uid: 65534, gid: 65534)
        let support = await SandboxSupport.probe(workDirectory: fixture.dataDirectory, runAs: nobody)
        try #require(support.isolation == .userNamespace, "\(support)")
        let work = try fixture.volume("work")
        #expect(chown(work, nobody.uid, nobody.gid) == 0)
        let spec = fixture.spec("rootless", volumes: [VolumeMount(hostPath: work, containerPath: "/work")])
        let runtime = fixture.runtime(support: support)
        let (look, stopped, namespaceEmptied, owner) = try await withSandbox(fixture, spec, runtime: runtime) { sandbox in
            #expect(sandbox.status.limitsEnforced == false)
            #expect(sandbox.status.notes.contains { $0.contains("running without resource limits") })
            let namespace = try #require(pidNamespace(of: sandbox.infraPID))
            let look = try await sandbox.run(
                "look", "id -u; hostname; awk '{print $1, $2, $3}' /proc/self/uid_map; echo made > /work/made")
            let daemon = try await sandbox.startContainer(ContainerSpec(
                name: "daemon", argv: ["/bin/sh", "-c", "trap 'exit 9' TERM; echo up; while :; do sleep 1; done"]))
            #expect(await eventually { ((try? String(contentsOfFile: daemon.logPath, encoding: .utf8)) ?? "").contains("up") })
            let stopped = await daemon.stop(grace: .seconds(30))
            let members = ProcFS.identities(inNamespace: namespace)
            await sandbox.stop(grace: .seconds(1))
            let owner = (try? FileManager.default.attributesOfItem(atPath: work + "/made"))?[.ownerAccountID] as? NSNumber
            return (look, stopped, ProcFS.survivors(members).isEmpty, owner?.uint32Value)
        }
        #expect(look.exit == .exited(0), "log: \(look.log)")
        let lines = look.log.split(separator: "\n").map(String.init)
        #expect(lines.first == "0", "root inside the pod: \(lines)")
        #expect(lines.dropFirst().first == spec.hostname)
        #expect(lines.dropFirst(2).first == "0 65534 1", "uid map: \(lines)")
        #expect(owner == 65534, "files the pod's root writes belong to the unprivileged user")
        #expect(stopped == .exited(9))
        #expect(namespaceEmptied)
    }
}
