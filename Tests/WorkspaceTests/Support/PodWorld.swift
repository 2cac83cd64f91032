#if canImport(Glibc)
import Glibc
#endif
import CubicleModel
import Foundation
import Logging
import Synchronization
import Testing
@testable import LocalCluster

/// A per-test world for pod sandboxes: a data directory outside /tmp (hidden from its pods), a
/// runtime state root inside it, volume directories, and a unique pod address in 127.77.252.0/24.
struct PodWorld: Sendable {
    private static let counter = Atomic<Int>(10)

    /// The test's data directory.
    let dataDirectory: String
    /// A unique pod address.
    let ip: String
    /// A unique suffix for names.
    let tag: String

    init() throws {
        let number = Self.counter.add(1, ordering: .relaxed).newValue
        dataDirectory = try TestDirectories.make("pod")
        ip = "127.77.252.\(number)"
        tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    /// A runtime on this world's state root.
    func runtime() -> PodRuntime {
        var logger = Logger(label: "cubicle.workspace.tests")
        logger.logLevel = .warning
        return PodRuntime(stateRoot: dataDirectory + "/runtime", hiddenPaths: [dataDirectory], logger: logger)
    }

    /// A volume directory, created.
    func volume(_ name: String) throws -> String {
        let path = dataDirectory + "/volumes/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A sandbox spec for pod `name` (a new uid per name).
    func spec(_ name: String, volumes: [VolumeMount] = [], limits: ResourceLimits = .none) -> SandboxSpec {
        let uid = "uid-\(name)-\(tag)"
        return SandboxSpec(
            podUID: uid, name: name, namespace: "tests", hostname: "\(name)-\(tag)", ip: ip,
            podDirectory: dataDirectory + "/pods/" + uid, volumes: volumes, limits: limits)
    }

    /// Removes everything (call after every sandbox is stopped).
    func remove() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// The host's cgroup hierarchies for memory and cpu (v1) or the unified one (v2), as read-only
    /// volumes under /cubicle-cgroup: the sandbox keeps /sys to sysfs alone, so this is how the
    /// pod gets to see its cgroup files, as a container runtime's cgroupfs mount would show them.
    static func cgroupVolumes() -> [VolumeMount] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        var volumes: [VolumeMount] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator + 3 < fields.count, fields.count > 4 else { continue }
            let mountPoint = fields[4], type = fields[separator + 1], options = fields[separator + 3].split(separator: ",")
            let wanted = type == "cgroup2" || (type == "cgroup" && options.contains { ["memory", "cpu", "cpuacct"].contains($0) })
            guard wanted, !mountPoint.contains("\\"), !volumes.contains(where: { $0.hostPath == mountPoint }) else { continue }
            let name = mountPoint.split(separator: "/").last.map(String.init) ?? "root"
            volumes.append(VolumeMount(hostPath: mountPoint, containerPath: "/cubicle-cgroup/\(volumes.count)-\(name)", readOnly: true))
        }
        return volumes
    }
}

/// Runs `body` with a fresh sandbox and always stops it afterwards (the world stays).
func withPodSandbox<T: Sendable>(
    _ spec: SandboxSpec, runtime: PodRuntime, _ body: (PodSandbox) async throws -> T
) async throws -> T {
    let sandbox = try await runtime.createSandbox(spec)
    do {
        let result = try await body(sandbox)
        await sandbox.stop(grace: .seconds(3))
        return result
    } catch {
        await sandbox.stop(grace: .seconds(3))
        throw error
    }
}

/// An ed25519 key pair made by `ssh-keygen`.
struct SSHKeyPair: Sendable {
    /// The private key file (mode 0600).
    let privateKeyPath: String
    /// The private key, OpenSSH format.
    let privateKey: String
    /// The public key line.
    let publicKey: String

    static func generate(at path: String) async throws -> SSHKeyPair {
        let output = try await Programs.run(
            ["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cubicle-test", "-f", path],
            environment: ["PATH": AgentShell.systemPath])
        #expect(output.status == .exited(0), "ssh-keygen: \(output.stderr)")
        return SSHKeyPair(
            privateKeyPath: path, privateKey: try String(contentsOfFile: path, encoding: .utf8),
            publicKey: try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Cubicle's side of a workspace's SSH: the client key and the pinned host key.
struct SSHTarget: Sendable {
    let ip: String
    let port: Int
    let user: String
    let clientKey: String
    let knownHosts: String

    /// Runs `command` in the workspace over SSH exec, host key strictly checked.
    func run(_ command: String) async throws -> ProgramOutput {
        try await Programs.run([
            "/usr/bin/ssh", "-F", "/dev/null", "-i", clientKey, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR", "-p", String(port), "\(user)@\(ip)", command,
        ], environment: ["PATH": AgentShell.systemPath, "HOME": (knownHosts as NSString).deletingLastPathComponent], timeout: 60)
    }
}
