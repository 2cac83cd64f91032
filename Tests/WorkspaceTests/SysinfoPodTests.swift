import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

@Suite("Agent: sysinfo inside a pod")
struct SysinfoPodTests {
    @Test(arguments: AgentShell.allCases)
    func sysinfoReportsThePodLimitsItsUsageAndItsVolumes(shell: AgentShell) async throws {
        let world = try PodWorld()
        defer { world.remove() }
        let data = try world.volume("data")
        var volumes = [
            VolumeMount(hostPath: WorkspaceFiles.repositoryRoot + "/workspace", containerPath: "/etc/cubicle", readOnly: true),
            VolumeMount(hostPath: data, containerPath: "/data"),
        ]
        var path = AgentShell.systemPath, program = "/bin/sh"
        if shell == .busybox {
            let applets = try world.volume("busybox")
            try await AgentShell.makeAppletDirectory(applets)
            volumes.append(VolumeMount(hostPath: applets, containerPath: "/opt/busybox", readOnly: true))
            path = "/opt/busybox:" + path
            program = "/opt/busybox/sh"
        }
        volumes += PodWorld.cgroupVolumes()
        let memory: Int64 = 96 << 20
        let spec = world.spec("sysinfo", volumes: volumes, limits: ResourceLimits(memoryBytes: memory, cpuMillicores: 500))

        let (exit, enforced, log) = try await withPodSandbox(spec, runtime: world.runtime()) { sandbox in
            // Something to measure: a CPU hog (throttled to the pod's 500m) and 32 MiB held.
            _ = try await sandbox.startContainer(ContainerSpec(name: "hog", argv: ["/bin/sh", "-c", "while :; do :; done"]))
            let holder = try await sandbox.startContainer(ContainerSpec(
                name: "holder", argv: [TestBlueprints.python3, "-c", "import sys, time; b = b'x' * (32 << 20); print('ready', flush=True); time.sleep(1000)"]))
            let holding = await eventually {
                ((try? String(contentsOfFile: holder.logPath, encoding: .utf8)) ?? "").contains("ready")
            }
            try #require(holding, "the memory holder started")
            let handle = try await sandbox.startContainer(ContainerSpec(
                name: "sysinfo", argv: [program, "-c", "sh /etc/cubicle/agent sysinfo > /data/sysinfo.json 2> /data/sysinfo.err"],
                env: ["PATH": path, "HOME": "/root"]))
            let exit = await handle.exitStatus
            return (exit, sandbox.status.limitsEnforced, (try? String(contentsOfFile: handle.logPath, encoding: .utf8)) ?? "")
        }
        let output = (try? String(contentsOfFile: data + "/sysinfo.json", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: data + "/sysinfo.err", encoding: .utf8)) ?? ""
        #expect(exit == .exited(0), "log: \(log) stderr: \(errors)")
        #expect(enforced, "the pod's limits are enforced, so the agent has limits to find")
        let info = try JSONDecoder().decode(SysinfoDocument.self, from: Data(output.utf8))

        #expect(info.system.memLimitMiB == Int(memory >> 20), "\(output)")
        #expect(info.system.cpuLimitMillicores == 500, "\(output)")
        let used = try #require(info.system.memoryUsageMiB)
        #expect(used >= 32 && used <= Int(memory >> 20), "memory \(used) MiB: the holder's 32 MiB, within the limit")
        let cpu = try #require(info.system.cpuUsageMillicores)
        // The hog uses what the quota allows; the sample counts clock ticks, so allow one tick's worth.
        #expect(cpu > 0 && cpu <= 500 + 100, "cpu \(cpu)m")
        #expect((info.system.uptime ?? 0) > 0)
        #expect(info.system.cpuAvg1min != nil && info.system.cpuAvg5min != nil && info.system.cpuAvg15min != nil)
        #expect(info.system.users == 0)
        #expect(RFC3339.date(from: info.time) != nil, "time \(info.time)")

        let volume = try #require(info.mounts.first { $0.mountPoint == "/data" }, "mounts: \(info.mounts.map(\.mountPoint))")
        #expect(!volume.readOnly)
        let total = try #require(volume.totalBytes), usedBytes = try #require(volume.usedBytes), free = try #require(volume.availableBytes)
        #expect(total > 0 && usedBytes >= 0 && usedBytes <= total && free <= total)
        #expect(info.mounts.first { $0.mountPoint == "/etc/cubicle" } == nil, "Cubicle's own config mount is not a volume")
        #expect(!info.mounts.contains { $0.mountPoint.hasPrefix("/proc") || $0.mountPoint.hasPrefix("/sys") || $0.fsType == "cgroup" })
    }
}
