import Foundation
import Testing
@testable import LocalCluster

@Suite("Pod sandbox networking")
struct SandboxNetworkTests {
    /// Starts `python3 -m http.server` bound to the pod's address, serving a page naming the pod.
    private func serve(_ sandbox: PodSandbox, port: UInt16, page: String, site: String) async throws -> ContainerHandle {
        try page.write(toFile: site + "/index.html", atomically: true, encoding: .utf8)
        return try await sandbox.startContainer(ContainerSpec(
            name: "web", argv: ["python3", "-m", "http.server", "--bind", sandbox.spec.ip, String(port)],
            workingDir: "/srv/site"))
    }

    @Test func hostReachesAServerBoundToThePodAddress() async throws {
        let fixture = try RuntimeFixture()
        let site = try fixture.volume("site")
        let spec = fixture.spec(volumes: [VolumeMount(hostPath: site, containerPath: "/srv/site", readOnly: true)])
        let port = try freePort(on: spec.ip)
        let response = try await withSandbox(fixture, spec) { sandbox in
            let web = try await serve(sandbox, port: port, page: "pod \(fixture.tag)", site: site)
            let response = await httpGet(spec.ip, port)
            _ = await web.stop(grace: .seconds(2))
            return response
        }
        let body = try #require(response)
        #expect(body.hasPrefix("HTTP/1.0 200"))
        #expect(body.hasSuffix("pod \(fixture.tag)"))
    }

    @Test func twoPodsServeTheSamePortOnTheirOwnAddresses() async throws {
        let fixture = try RuntimeFixture()
        let runtime = fixture.runtime()
        let siteA = try fixture.volume("a"), siteB = try fixture.volume("b")
        let specA = fixture.spec("a", volumes: [VolumeMount(hostPath: siteA, containerPath: "/srv/site")])
        let specB = fixture.spec("b", ip: fixture.secondIP(), volumes: [VolumeMount(hostPath: siteB, containerPath: "/srv/site")])
        let port = try freePort(on: specA.ip)
        let sandboxA = try await runtime.createSandbox(specA)
        let sandboxB: PodSandbox
        do {
            sandboxB = try await runtime.createSandbox(specB)
        } catch {
            await sandboxA.stop(grace: .seconds(1))
            fixture.remove()
            throw error
        }
        _ = try? await serve(sandboxA, port: port, page: "A", site: siteA)
        _ = try? await serve(sandboxB, port: port, page: "B", site: siteB)
        let responseA = await httpGet(specA.ip, port)
        let responseB = await httpGet(specB.ip, port)
        await sandboxA.stop(grace: .seconds(1))
        await sandboxB.stop(grace: .seconds(1))
        fixture.remove()
        #expect(responseA?.hasSuffix("\r\n\r\nA") == true, "A: \(responseA ?? "none")")
        #expect(responseB?.hasSuffix("\r\n\r\nB") == true, "B: \(responseB ?? "none")")
    }

    @Test func sshdInThePodServesItsOwnHostKeyOnThePodAddress() async throws {
        let fixture = try RuntimeFixture()
        let spec = fixture.spec("ssh")
        let port = try freePort(on: spec.ip)
        let key = "/etc/ssh/cubicle_test_host_key"
        let script = """
            mkdir -p /run/sshd && chmod 0755 /run/sshd && ssh-keygen -q -t ed25519 -N '' -f \(key) &&
            exec /usr/sbin/sshd -D -e -f /dev/null -h \(key) -o PidFile=none -o ListenAddress=\(spec.ip):\(port)
            """
        let (scanned, published, log) = try await withSandbox(fixture, spec) { sandbox in
            let sshd = try await sandbox.startContainer(ContainerSpec(name: "sshd", argv: ["/bin/sh", "-c", script]))
            var scanned = ""
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, !scanned.contains("ssh-ed25519") {
                scanned = (try? await CommandRunner.run(["/usr/bin/ssh-keyscan", "-T", "2", "-p", String(port), spec.ip]))?.output ?? ""
                if !scanned.contains("ssh-ed25519") { try await Task.sleep(for: .milliseconds(50)) }
            }
            let published = FileIO.read("/proc/\(sandbox.infraPID)/root\(key).pub") ?? ""
            _ = await sshd.stop(grace: .seconds(2))
            return (scanned, published, (try? String(contentsOfFile: sshd.logPath, encoding: .utf8)) ?? "")
        }
        let publishedKey = try #require(published.split(separator: " ").dropFirst().first, "log: \(log)")
        #expect(scanned.contains("ssh-ed25519 \(publishedKey)"), "scan: \(scanned) log: \(log)")
        #expect(!FileManager.default.fileExists(atPath: key + ".pub"), "the key stays inside the pod")
    }
}
