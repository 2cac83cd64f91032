import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod sandbox isolation")
struct SandboxIsolationTests {
    @Test func userAddedInsideThePodNeverReachesTheHostPasswd() async throws {
        let fixture = try RuntimeFixture()
        let user = "rt\(fixture.tag.prefix(6))"
        let hostBefore = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("adduser", "useradd -M -u 4242 -d /home/\(user) \(user) && getent passwd \(user)")
        }
        #expect(exit == .exited(0), "log: \(log)")
        #expect(log.contains("\(user):x:4242:"))
        let hostAfter = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        #expect(hostAfter == hostBefore)
        #expect(!hostAfter.contains(user))
    }

    @Test func filesWrittenToAVolumeAppearOnTheHostWithTheContainersOwner() async throws {
        let fixture = try RuntimeFixture()
        let home = try fixture.volume("home")
        let spec = fixture.spec(volumes: [VolumeMount(hostPath: home, containerPath: "/home/alice")])
        let (setup, second, owner, content) = try await withSandbox(fixture, spec) { sandbox in
            let setup = try await sandbox.run(
                "setup", "useradd -M -u 4243 -d /home/alice alice && chown alice:alice /home/alice")
            let second = try await sandbox.run(
                "write", "echo hello > \"$HOME/hello.txt\" && id -u && echo \"home=$HOME\"", uid: 4243)
            let attributes = try? FileManager.default.attributesOfItem(atPath: home + "/hello.txt")
            let owner = (attributes?[.ownerAccountID] as? NSNumber)?.uint32Value
            return (setup, second, owner, try? String(contentsOfFile: home + "/hello.txt", encoding: .utf8))
        }
        #expect(setup.exit == .exited(0), "log: \(setup.log)")
        #expect(second.exit == .exited(0), "log: \(second.log)")
        #expect(owner == 4243)
        #expect(content == "hello\n")
        #expect(second.log.contains("4243\nhome=/home/alice"))
    }

    @Test func podHasItsOwnTmpAndCannotSeeTheDataDirectory() async throws {
        let fixture = try RuntimeFixture()
        let hostMarker = "/tmp/cubicle-runtime-marker-\(fixture.tag)"
        try "host".write(toFile: hostMarker, atomically: true, encoding: .utf8)
        defer { unlink(hostMarker) }
        try "secret".write(toFile: fixture.dataDirectory + "/secret.txt", atomically: true, encoding: .utf8)
        let podFile = "/tmp/pod-file-\(fixture.tag)"
        let script = """
            [ -e \(hostMarker) ] && echo host-tmp-visible
            echo pod > \(podFile)
            [ -z "$(ls -A \(fixture.dataDirectory))" ] && echo data-dir-empty
            [ -e \(fixture.dataDirectory)/secret.txt ] || echo secret-hidden
            """
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("look", script)
        }
        #expect(exit == .exited(0), "log: \(log)")
        #expect(!log.contains("host-tmp-visible"))
        #expect(log.contains("data-dir-empty"))
        #expect(log.contains("secret-hidden"))
        #expect(!FileManager.default.fileExists(atPath: podFile))
    }

    @Test func hostnameAndHostsNameThePod() async throws {
        let fixture = try RuntimeFixture()
        let spec = fixture.spec("named")
        let (exit, log) = try await withSandbox(fixture, spec) { sandbox in
            try await sandbox.run("name", "hostname; cat /etc/hostname; grep -F \(spec.ip) /etc/hosts; echo \"env=$HOSTNAME\"")
        }
        #expect(exit == .exited(0), "log: \(log)")
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first == spec.hostname)
        #expect(lines.dropFirst().first == spec.hostname)
        #expect(lines.contains("\(spec.ip)\t\(spec.hostname)"))
        #expect(lines.last == "env=\(spec.hostname)")
    }

    @Test func pseudoTerminalsCanBeAllocatedInsideThePod() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("pty", "script -qc tty /dev/null")
        }
        #expect(exit == .exited(0), "log: \(log)")
        #expect(log.contains("/dev/pts/0"))
    }

    @Test func containerEnvironmentIsExactlyTheSpecPlusDefaults() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            let handle = try await sandbox.startContainer(ContainerSpec(
                name: "env", argv: ["env"], env: ["GREETING": "hi there", "dotted.name": "kept"], workingDir: "/etc"))
            let exit = await handle.exitStatus
            return (exit, try String(contentsOfFile: handle.logPath, encoding: .utf8))
        }
        #expect(exit == .exited(0), "log: \(log)")
        let names = Set(log.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names == ["GREETING", "dotted.name", "PATH", "HOSTNAME", "HOME"])
        #expect(log.contains("GREETING=hi there\n"))
        #expect(log.contains("HOME=/root\n"))
    }

    @Test func workingDirectoryIsSetInsideThePod() async throws {
        let fixture = try RuntimeFixture()
        let (exit, log) = try await withSandbox(fixture, fixture.spec()) { sandbox in
            try await sandbox.run("pwd", "pwd", workingDir: "/usr/share")
        }
        #expect(exit == .exited(0))
        #expect(log == "/usr/share\n")
    }

    @Test func subPathMountsASingleFileReadOnly() async throws {
        let fixture = try RuntimeFixture()
        let config = try fixture.volume("config")
        try "setting=1\n".write(toFile: config + "/app.conf", atomically: true, encoding: .utf8)
        let spec = fixture.spec(volumes: [
            VolumeMount(hostPath: config, containerPath: "/etc/cubicle-test/app.conf", readOnly: true, subPath: "app.conf"),
        ])
        let (exit, log, after) = try await withSandbox(fixture, spec) { sandbox in
            let result = try await sandbox.run(
                "read", "cat /etc/cubicle-test/app.conf; echo changed > /etc/cubicle-test/app.conf || echo write-refused")
            return (result.exit, result.log, try? String(contentsOfFile: config + "/app.conf", encoding: .utf8))
        }
        #expect(exit == .exited(0), "log: \(log)")
        #expect(log.hasPrefix("setting=1\n"))
        #expect(log.contains("write-refused"))
        #expect(after == "setting=1\n")
    }

    @Test func subPathThatEscapesItsVolumeIsRefused() async throws {
        let fixture = try RuntimeFixture()
        defer { fixture.remove() }
        let volume = try fixture.volume("v")
        try FileManager.default.createSymbolicLink(atPath: volume + "/escape", withDestinationPath: "/etc")
        let spec = fixture.spec(volumes: [VolumeMount(hostPath: volume, containerPath: "/x", subPath: "escape")])
        await #expect(throws: RuntimeError.self) {
            _ = try await fixture.runtime().createSandbox(spec)
        }
    }
}
