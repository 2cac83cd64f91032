import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod runtime parsing and validation")
struct RuntimeParsingTests {
    @Test func procStatIsParsedPastACommandWithSpacesAndParentheses() throws {
        let text = "4242 (evil) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615"
        let stat = try #require(ProcFS.parseStat(text))
        #expect(stat == ProcFS.Stat(state: "S", parent: 1, session: 4242, startTime: 987654))
        #expect(ProcFS.parseStat("garbage") == nil)
        #expect(ProcFS.parseStat("1 (x) S 1") == nil)
    }

    @Test func waitStatusDecodesExitsAndSignals() {
        #expect(WaitStatus(raw: 3 << 8) == .exited(3))
        #expect(WaitStatus(raw: 9) == .signaled(9))
        #expect(WaitStatus(raw: 0x80 | 11) == .signaled(11))  // core dumped
        #expect(WaitStatus.signaled(9).shellCode == 137)
    }

    @Test func mountInfoUnescapesPathsAndReadsSuperOptions() {
        let text = """
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            90 27 0:50 / /var/tmp/with\\040space rw - tmpfs tmpfs rw
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw
            """
        let entries = MountTable.parse(text)
        #expect(entries.count == 3)
        #expect(entries[0].superOptions == ["rw", "memory"])
        #expect(entries[1].mountPoint == "/var/tmp/with space")
        #expect(entries[2].fsType == "cgroup2")
    }

    @Test func cgroupV1HierarchiesAreFoundFromMembershipAndMounts() {
        let memberships = CgroupLayout.parseMemberships("""
            4:memory:/service/abc
            1:cpu,cpuacct:/
            0::/
            """)
        let mounts = MountTable.parse("""
            35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
            """)
        let hierarchies = CgroupLayout.v1Hierarchies(memberships: memberships, mounts: mounts)
        #expect(hierarchies.map(\.base) == ["/sys/fs/cgroup/memory/service/abc", "/sys/fs/cgroup/cpu,cpuacct"])
        #expect(hierarchies.map(\.controllers) == [["memory"], ["cpu"]])
        #expect(CgroupLayout.v1Hierarchies(memberships: memberships, mounts: []).isEmpty)
    }

    @Test func sandboxSpecsWithUnsafeValuesAreRefused() {
        let good = SandboxSpec(podUID: "u-1", name: "p", namespace: "n", hostname: "p", ip: "127.77.1.2", podDirectory: "/var/lib/pods/u-1")
        #expect(throws: Never.self) { try SpecValidation.check(good) }
        var spec = good
        spec.ip = "10.0.0.1"
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec = good
        spec.podDirectory = "/var/lib/pods,upperdir=/etc"
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec = good
        spec.podUID = "../etc"
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec = good
        spec.hostname = "Bad Name"
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec = good
        spec.volumes = [VolumeMount(hostPath: "/tmp", containerPath: "/home/../etc")]
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec.volumes = [VolumeMount(hostPath: "/tmp", containerPath: "/proc/sys")]
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
        spec.volumes = [VolumeMount(hostPath: "/tmp", containerPath: "/x", subPath: "../y")]
        #expect(throws: RuntimeError.self) { try SpecValidation.check(spec) }
    }

    @Test func containerSpecsWithUnsafeValuesAreRefused() {
        #expect(throws: Never.self) { try SpecValidation.check(ContainerSpec(name: "sshd", argv: ["/usr/sbin/sshd", "-D"])) }
        #expect(throws: RuntimeError.self) { try SpecValidation.check(ContainerSpec(name: "Bad_Name", argv: ["true"])) }
        #expect(throws: RuntimeError.self) { try SpecValidation.check(ContainerSpec(name: "empty", argv: [])) }
        #expect(throws: RuntimeError.self) { try SpecValidation.check(ContainerSpec(name: "eq", argv: ["A=B"])) }
        #expect(throws: RuntimeError.self) { try SpecValidation.check(ContainerSpec(name: "env", argv: ["true"], env: ["A=B": "1"])) }
        #expect(throws: RuntimeError.self) { try SpecValidation.check(ContainerSpec(name: "wd", argv: ["true"], workingDir: "relative")) }
    }

    @Test func passwdLookupFindsHomeAndPrimaryGroup() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nalice:x:4243:4300::/home/alice:/bin/sh\n"
        #expect(PodSandbox.passwdEntry(uid: 4243, in: passwd)?.home == "/home/alice")
        #expect(PodSandbox.passwdEntry(uid: 4243, in: passwd)?.gid == 4300)
        #expect(PodSandbox.passwdEntry(uid: 7, in: passwd) == nil)
    }

    @Test func exitReasonsFollowKubernetes() {
        #expect(ContainerExit.exited(0).reason == "Completed")
        #expect(ContainerExit.exited(2).reason == "Error")
        #expect(ContainerExit.oomKilled.exitCode == 137)
        #expect(ContainerExit.signaled(15).exitCode == 143)
    }
}
