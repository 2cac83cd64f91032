import CubicleModel
import Foundation
import Testing

/// The built `cubicle local-cluster` executable as a subprocess: kubeconfig, kubectl, the HTTP
/// fault endpoints, clean shutdown on SIGTERM and recovery after SIGKILL.
@Suite("cubicle local-cluster")
struct LocalClusterCommandTests {
    /// The `cubicle` executable built next to the test bundle.
    static func binary() throws -> String {
        var candidates: [String] = []
        if let first = CommandLine.arguments.first {
            var directory = URL(fileURLWithPath: first).deletingLastPathComponent()
            if directory.lastPathComponent == "MacOS" || directory.pathExtension == "xctest" {
                directory = directory.deletingLastPathComponent()
            }
            candidates.append(directory.appendingPathComponent("cubicle").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/cubicle")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw TestFailure("the cubicle executable is not built (looked in \(candidates)); run swift build --build-tests")
    }

    /// Starts the command and waits for it to announce its kubeconfig.
    static func launch(_ directory: String, extra: [String] = []) async throws -> (Subprocess, Kubectl) {
        let process = try Subprocess(
            try binary(), ["local-cluster", "--listen", "127.0.0.1:0", "--data-dir", directory + "/data"] + extra
        )
        guard let line = await process.line(within: 60, where: { $0.hasPrefix("kubeconfig: ") }) else {
            process.signal(SIGKILL)
            let output = await process.wait(deadline: 10)
            throw TestFailure("cubicle local-cluster did not start: \(output.standardError)")
        }
        let kubeconfig = String(line.dropFirst("kubeconfig: ".count))
        let home = directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        return (process, Kubectl(kubeconfig: kubeconfig, home: home))
    }

    /// Runs `body` against a `cubicle local-cluster` process on a fresh directory; afterwards the
    /// process must shut down cleanly on SIGTERM (it is killed when `body` fails).
    static func withCommand(
        extra: [String] = [], _ body: (_ directory: String, _ kubectl: Kubectl) async throws -> Void
    ) async throws {
        let directory = TestCluster.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (process, kubectl) = try await launch(directory, extra: extra)
        do {
            try await body(directory, kubectl)
        } catch {
            process.signal(SIGKILL)
            _ = await process.wait(deadline: 10)
            throw error
        }
        process.signal(SIGTERM)
        let output = await process.wait(deadline: 30)
        #expect(output.status == 0, "\(output.standardError)")
    }

    @Test func commandServesKubectlAndShutsDownCleanlyOnSIGTERM() async throws {
        try await Self.withCommand(extra: ["--enable-fault-hooks"]) { directory, kubectl in
            #expect(kubectl.kubeconfig == directory + "/data/kubeconfig")
            let attributes = try FileManager.default.attributesOfItem(atPath: kubectl.kubeconfig)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let config = try String(contentsOfFile: kubectl.kubeconfig, encoding: .utf8)
            #expect(config.contains("current-context: \"cubicle-local\"") || config.contains("current-context: cubicle-local"))
            #expect(config.contains("client-certificate-data:") && config.contains("certificate-authority-data:"))

            let namespaces = try await kubectl.run(["get", "namespaces", "-o", "name"])
            #expect(namespaces.status == 0, "\(namespaces.standardError)")
            #expect(namespaces.standardOutput.contains("namespace/default"))

            let armed = try await kubectl.run(["create", "--raw", "/_localcluster/faults/fail-next", "-f", "-"], input: "{\"count\":1,\"status\":500}")
            #expect(armed.status == 0, "\(armed.standardError)")
            let failed = try await kubectl.run(["get", "--raw", "/api/v1/namespaces/default"])
            #expect(failed.status != 0)
            #expect(failed.standardError.contains("InternalError") || failed.standardError.contains("injected fault"), "\(failed.standardError)")
            #expect(try await kubectl.run(["get", "--raw", "/api/v1/namespaces/default"]).status == 0)
        }
    }

    @Test func stateSurvivesSIGKILLOfTheServer() async throws {
        let directory = TestCluster.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (first, kubectl) = try await Self.launch(directory)
        let created: JSONValue
        do {
            let create = try await kubectl.run(["create", "configmap", "survivor", "--from-literal=a=b", "-o", "json"])
            #expect(create.status == 0, "\(create.standardError)")
            created = try JSONValue.parse(create.stdout)
            // Wait until the write-behind persister has put the object on disk.
            let statePath = directory + "/data/state.json"
            let persisted = try await withDeadline(20) {
                while !((try? String(contentsOfFile: statePath, encoding: .utf8))?.contains("survivor") ?? false) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                return true
            }
            #expect(persisted)
        } catch {
            first.signal(SIGKILL)
            _ = await first.wait(deadline: 10)
            throw error
        }
        first.signal(SIGKILL)
        _ = await first.wait(deadline: 10)

        let (second, kubectl2) = try await Self.launch(directory)
        do {
            let get = try await kubectl2.run(["get", "configmap", "survivor", "-o", "json"])
            #expect(get.status == 0, "\(get.standardError)")
            let loaded = try JSONValue.parse(get.stdout)
            #expect(loaded.metaUID == created.metaUID)
            let next = try await kubectl2.run(["create", "configmap", "after", "-o", "json"])
            let version = try JSONValue.parse(next.stdout).resourceVersionNumber ?? 0
            #expect(version > (created.resourceVersionNumber ?? Int64.max))
        } catch {
            second.signal(SIGKILL)
            _ = await second.wait(deadline: 10)
            throw error
        }
        second.signal(SIGTERM)
        #expect(await second.wait(deadline: 30).status == 0)
    }
}
