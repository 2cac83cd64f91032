import CubicleTestSupport
import Foundation
import Testing

/// The credential helpers the bootstrap installs, in a real provisioned workspace (process
/// kubelet) reached with real `ssh`: git and docker get the owner's credentials from the API with
/// nothing but the workspace's own token, under dash and under busybox sh.
@Suite struct CredentialHelperTests {
    static let helperDirectory = "/run/cubicle/bin"

    @Test func gitAndDockerInsideAWorkspaceGetTheOwnersCredentialsThroughTheInstalledHelpers() async throws {
        try await ServerHarness.with(kubelet: .process) { server in
            let erin = try await server.makeUser("erin")
            let gitSecret = "gho_" + UUID().uuidString
            let uuid = UUID().uuidString
            let registrySecret = "reg\"\\\(uuid)"  // a quote and a backslash: JSON escaping on the way out
            #expect(try await server.request(
                "POST", "/api/v1/users/erin/credentials/git", body: #"{"scope":"git.example.com","subject":"erin-bot","secret":"\#(gitSecret)"}"#
            ).status == 201)
            #expect(try await server.request(
                "POST", "/api/v1/users/erin/credentials/registry",
                body: #"{"scope":"registry.example.com","subject":"erin","secret":"reg\"\\\#(uuid)"}"#
            ).status == 201)
            let reply = try await server.request("POST", "/api/v1/workspaces", token: .some(erin), body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), token: erin, within: 120)
            #expect(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
            let podIP = try #require(try await server.request("GET", "/api/v1/workspaces/\(name)").json()["podIP"] as? String)
            func ssh(_ command: String) async throws -> (status: Int32, output: String) {
                try await WorkspaceSSHTests.ssh(server, workspace: name, podIP: podIP, user: "erin", command)
            }

            // git, through the helper the bootstrap configured (a non-login `ssh host cmd` shell).
            let fill = try await ssh("printf 'protocol=https\\nhost=git.example.com\\n\\n' | git credential fill")
            #expect(fill.status == 0, "\(fill.output)")
            #expect(fill.output.contains("username=erin-bot\npassword=\(gitSecret)\n"), "\(fill.output)")
            // A host with no credential: the helper stays silent and git, unable to prompt, gives up.
            let other = try await ssh("printf 'protocol=https\\nhost=elsewhere.example.org\\n\\n' | GIT_TERMINAL_PROMPT=0 git credential fill")
            #expect(other.status != 0 && !other.output.contains("password="), "\(other.output)")

            // docker's protocol; login shells find the helper on PATH.
            let docker = try await ssh("sh -lc 'echo https://registry.example.com/v2/ | docker-credential-cubicle get'")
            #expect(docker.status == 0, "\(docker.output)")
            let line = docker.output.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
            let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(document?["ServerURL"] == "https://registry.example.com/v2/" && document?["Username"] == "erin", "\(docker.output)")
            #expect(document?["Secret"] == registrySecret, "\(docker.output)")
            let missing = try await ssh("echo quay.io | \(Self.helperDirectory)/docker-credential-cubicle get")
            #expect(missing.status == 1 && missing.output.contains("credentials not found"), "\(missing.output)")

            // The same helper under busybox sh with busybox's applets first on PATH (Alpine images).
            let busybox = try await ssh(
                "d=$(mktemp -d) && busybox --install -s \"$d\" && printf 'protocol=https\\nhost=git.example.com\\npath=team/repo.git\\n\\n' | "
                    + "PATH=\"$d:$PATH\" busybox sh \(Self.helperDirectory)/git-credential-cubicle get; s=$?; rm -rf \"$d\"; exit $s")
            #expect(busybox.status == 0 && busybox.output.contains("password=\(gitSecret)\n"), "\(busybox.output)")

            // The workspace token is the workspace user's alone, and no secret is on disk in the clear.
            let token = try await ssh("stat -c '%a %U' /run/cubicle/workspace-token; grep -rl \(gitSecret) /run/cubicle ~ 2>/dev/null; true")
            #expect(token.output == "400 erin\n", "\(token.output)")

            // A locked owner gets nothing, at once.
            #expect(try await server.request("PATCH", "/api/v1/users/erin/profile", body: #"{"locked":true}"#).status == 200)
            let locked = try await ssh("printf 'protocol=https\\nhost=git.example.com\\n\\n' | \(Self.helperDirectory)/git-credential-cubicle get")
            #expect(locked.status != 0 && !locked.output.contains(gitSecret), "\(locked.output)")
        }
    }
}
