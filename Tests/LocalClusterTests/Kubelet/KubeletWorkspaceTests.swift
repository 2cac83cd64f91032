import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// The real workspace bootstrap (`workspace/bootstrap`) run by the kubelet, as a workspace pod
/// runs it: ConfigMap and Secret volumes in, a user created, sshd on the pod's own address.
@Suite("Process kubelet: workspace bootstrap")
struct KubeletWorkspaceTests {
    /// The repository's `workspace/` directory.
    private static var workspaceDirectory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("workspace").path
    }

    @Test func workspaceBootstrapServesSSHOnThePodAddressAndBecomesReady() async throws {
        try await KubeletTestCluster.with { cluster in
            let keys = cluster.test.directory + "/keys"
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            for name in ["host", "client"] {
                let made = try await Subprocess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(keys)/\(name)"])
                #expect(made.status == 0, "\(made.standardError)")
            }
            let bootstrap = try String(contentsOfFile: Self.workspaceDirectory + "/bootstrap", encoding: .utf8)
            let sshdConfig = try String(contentsOfFile: Self.workspaceDirectory + "/sshd_config", encoding: .utf8)
            try await cluster.create("configmaps", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ws-config"],
                "data": [
                    "bootstrap": .string(bootstrap), "sshd_config": .string(sshdConfig),
                    "workspace.conf": "WORKSPACE_USER='alice'\nWORKSPACE_UID='2345'\nWORKSPACE_SSH_PORT='2222'\n",
                ],
            ])
            let hostKey = try Data(contentsOf: URL(fileURLWithPath: keys + "/host"))
            let clientKey = try Data(contentsOf: URL(fileURLWithPath: keys + "/client.pub"))
            try await cluster.create("secrets", [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "ws-secret"],
                "data": ["ssh_host_ed25519_key": .string(hostKey.base64EncodedString()), "authorized_keys": .string(clientKey.base64EncodedString())],
            ])
            let pod = podObject(
                "alice-ws", command: ["/bin/sh", "/etc/cubicle/bootstrap"],
                volumes: [
                    ["name": "config", "configMap": ["name": "ws-config"]],
                    ["name": "secret", "secret": ["secretName": "ws-secret", "defaultMode": 0o400]],
                ],
                mounts: [["name": "config", "mountPath": "/etc/cubicle"], ["name": "secret", "mountPath": "/etc/cubicle-secret"]],
                env: [["name": "CUBICLE_POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]]],
                extra: ["readinessProbe": ["tcpSocket": ["port": 2222], "periodSeconds": 1]])
            let created = try await cluster.create("pods", pod)
            let ready = try await cluster.waitForPod("alice-ws", "ready", within: 60) { $0.condition("Ready") }
            let address = try #require(ready.podIP)
            #expect(address.hasPrefix("127.77.\(cluster.block)."))

            let scan = try await Subprocess.run("/usr/bin/ssh-keyscan", ["-T", "5", "-t", "ed25519", "-p", "2222", address])
            let published = try String(contentsOfFile: keys + "/host.pub", encoding: .utf8).split(separator: " ")
            #expect(published.count >= 2)
            #expect(scan.standardOutput.contains("ssh-ed25519 \(published.dropFirst().first ?? "")"), "\(scan.standardOutput) \(scan.standardError)")
            // The bootstrap created the workspace user inside the pod only.
            let sandbox = try #require(try cluster.cluster.processKubelet?.sandbox(forPod: created.metaUID))
            let passwd = try String(contentsOfFile: "/proc/\(sandbox.infraPID)/root/etc/passwd", encoding: .utf8)
            #expect(passwd.contains("alice:x:2345:"))
            let hostPasswd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
            #expect(!hostPasswd.contains("alice:x:2345:"))
        }
    }
}
