import Blueprints
import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

@Suite("Workspace bootstrap in a pod")
struct BootstrapPodTests {
    /// The rendered workspace booted twice on the same home volume, reached like Cubicle reaches
    /// it: SSH as the workspace user with the client key, the host key pinned.
    @Test func bootstrapCreatesTheUserRunsInitScriptsOnceAndServesTheAgentOverSSH() async throws {
        let world = try PodWorld()
        defer { world.remove() }
        let keys = try world.volume("keys")
        let host = try await SSHKeyPair.generate(at: keys + "/host")
        let client = try await SSHKeyPair.generate(at: keys + "/client")
        let sshPort = try freePort(on: world.ip), webPort = try freePort(on: world.ip)

        let spec = TestBlueprints.spec(
            ["web": TestBlueprints.web(port: webPort, bind: world.ip, autoStart: true)], enableApps: true,
            initScripts: [
                InitScript(name: "count", script: "echo ran >> \"$HOME/init-count\"; id -un > \"$HOME/init-user\""),
                InitScript(name: "broken", script: "echo 'broken \"script\" says \\ no' >&2; exit 3"),
                InitScript(name: "after", script: "touch \"$HOME/after-ran\""),
            ])
        let identity = WorkspaceIdentity(
            name: "cubi-test", namespace: "tests", username: "cubi", uid: 4242, gid: 4242, shell: "/bin/sh", jobID: "job-boot")
        let credentials = WorkspaceCredentials(
            hostPrivateKey: host.privateKey, hostPublicKey: host.publicKey, clientPrivateKey: client.privateKey,
            clientPublicKey: client.publicKey, workspaceToken: "wst_test")
        let resources = try WorkspaceFiles.render(spec, identity: identity, credentials: credentials, options: RenderOptions(sshPort: sshPort))
        let config = try world.volume("config"), secret = try world.volume("secret"), home = try world.volume("home")
        try WorkspaceFiles.materialiseConfigMap(of: resources, into: config)
        try WorkspaceFiles.materialiseSecret(of: resources, into: secret)
        try Data("[\(world.ip)]:\(sshPort) \(host.publicKey)\n".utf8).write(to: URL(fileURLWithPath: keys + "/known_hosts"))
        let ssh = SSHTarget(ip: world.ip, port: sshPort, user: "cubi", clientKey: client.privateKeyPath, knownHosts: keys + "/known_hosts")
        let volumes = [
            VolumeMount(hostPath: config, containerPath: WorkspaceKeys.configMountPath, readOnly: true),
            VolumeMount(hostPath: secret, containerPath: WorkspaceKeys.secretMountPath, readOnly: true),
            VolumeMount(hostPath: home, containerPath: "/home/cubi"),
        ]
        let runtime = world.runtime()

        for boot in 1...2 {
            try await withPodSandbox(world.spec("boot\(boot)", volumes: volumes), runtime: runtime) { sandbox in
                let workspace = try await sandbox.startContainer(ContainerSpec(
                    name: WorkspaceKeys.mainContainer, argv: ["/bin/sh", "\(WorkspaceKeys.configMountPath)/bootstrap"],
                    env: ["CUBICLE_POD_IP": world.ip]))
                let bootLog = { (try? String(contentsOfFile: workspace.logPath, encoding: .utf8)) ?? "" }
                let reachable = try await eventually(timeout: 30) { try await ssh.run("true").status == .exited(0) }
                try #require(reachable, "boot \(boot): sshd never answered; bootstrap log:\n\(bootLog())")

                let whoami = try await ssh.run("id -un; printf '%s\\n' \"$HOME\"")
                #expect(whoami.stdout == "cubi\n/home/cubi\n", "\(whoami.stdout) \(whoami.stderr)")

                let initStatus = try decode([InitScriptDocument].self, try await ssh.run("sh /etc/cubicle/agent init-status"))
                #expect(initStatus.map(\.status) == ["succeeded", "failed", "succeeded"], "boot \(boot): \(initStatus)")
                #expect(initStatus.dropFirst().first?.exitCode == 3)
                #expect(initStatus.dropFirst().first?.log.contains("broken \"script\" says \\ no") == true)

                #expect(try await eventually {
                    let apps = try decode([AppDocument].self, try await ssh.run("sh /etc/cubicle/agent apps"))
                    return apps.first?.status == "RUNNING"
                }, "boot \(boot): the autoStart app runs under the supervisor the bootstrap started")
                let web = try #require(try decode([AppDocument].self, try await ssh.run("sh /etc/cubicle/agent apps")).first)
                #expect(web.name == "web" && web.port == webPort && web.restarts == 0)
                #expect(try await httpGet(port: webPort, host: world.ip).contains("Directory listing"))
            }
        }

        let count = try String(contentsOfFile: home + "/init-count", encoding: .utf8)
        #expect(count == "ran\n", "the init script ran exactly once across two boots")
        #expect(try String(contentsOfFile: home + "/init-user", encoding: .utf8) == "cubi\n", "init scripts run as the user")
        #expect(FileManager.default.fileExists(atPath: home + "/after-ran"), "a failing script does not stop the next one")
        let flags = try FileManager.default.contentsOfDirectory(atPath: home + "/.cubicle/init").sorted()
        #expect(flags == ["after.done", "after.log", "broken.failed", "broken.log", "count.done", "count.log"])
    }
}
