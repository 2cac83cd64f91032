import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// A real workspace: the process kubelet runs the bootstrap, which starts sshd on the pod
/// address; OpenSSH's own client logs in with the workspace's client key, checking the pinned
/// host key. The home volume outlives a soft stop.
@Suite struct WorkspaceSSHTests {
    /// Runs `ssh` as the workspace user with strict host-key checking against the pinned key.
    static func ssh(
        _ server: ServerHarness, workspace: String, podIP: String, user: String = "admin", _ command: String
    ) async throws -> (status: Int32, output: String) {
        let secret = try await server.kube.get(Secret.self, name: "\(workspace)-client", namespace: "default")
        let key = String(decoding: try #require(secret.data?["id_ed25519"]), as: UTF8.self)
        let host = String(decoding: try #require(secret.data?["ssh_host_ed25519_key.pub"]), as: UTF8.self)
        let dir = try TemporaryDirectory("cubicle-ssh")
        defer { dir.remove() }
        try dir.write("key", key, mode: 0o600)
        try dir.write("known_hosts", "[\(podIP)]:2222 \(host.trimmingCharacters(in: .whitespacesAndNewlines))\n")
        let arguments = [
            "-i", dir.file("key"), "-o", "UserKnownHostsFile=\(dir.file("known_hosts"))", "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "GlobalKnownHostsFile=/dev/null", "-p", "2222",
            "\(user)@\(podIP)", command,
        ]
        return try await ChildProcess.run("/usr/bin/ssh", arguments: arguments)
    }

    @Test func sshReachesTheWorkspaceUserAndTheHomeVolumeSurvivesAStop() async throws {
        try await ServerHarness.with(kubelet: .process) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            #expect(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
            let workspace = try await server.request("GET", "/api/v1/workspaces/\(name)").json()
            let podIP = try #require(workspace["podIP"] as? String)
            #expect(podIP.hasPrefix("127.77."))

            let first = try await Self.ssh(server, workspace: name, podIP: podIP, "id -un; echo $HOME; echo kept > ~/marker")
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.hasPrefix("admin\n/home/admin\n"), "\(first.output)")

            let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()
            _ = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 120)
            let restart = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let started = try await server.finishedJob(try #require(restart["jobId"] as? String), within: 120)
            #expect(started["result"] as? String == "succeeded")
            let again = try await server.request("GET", "/api/v1/workspaces/\(name)").json()
            let newIP = try #require(again["podIP"] as? String)
            let second = try await Self.ssh(server, workspace: name, podIP: newIP, "cat ~/marker")
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output == "kept\n")

            let delete = try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true").json()
            let deleted = try await server.finishedJob(try #require(delete["jobId"] as? String), within: 120)
            #expect(deleted["result"] as? String == "succeeded")
        }
    }
}
