import CubicleTestSupport
import Crypto
import Foundation
import Testing

/// The `cubicle` command line against a real `cubicle serve` on the embedded cluster (process
/// kubelet, a real sshd per workspace), run as a user runs it: a context, a workspace created
/// with live progress, exec through pipes, big copies both ways, an interrupted upload resumed,
/// stop, start and delete — and the errors a user meets.
@Suite struct CLIWorkflowTests {
    @Test func aDeveloperWorksWithAWorkspaceFromTheCommandLine() async throws {
        await ServerHarness.processServerSlots.acquire()
        defer { ServerHarness.processServerSlots.release() }
        let data = try TemporaryDirectory("cubicle-cli-serve")
        defer { data.remove() }
        let serve = try await ServeProcess.start(dataDirectory: data.path, logName: "serve", extraArguments: ["--pod-address-blocks", "148"])
        let cli = try CLIRunner()
        defer { cli.home.remove() }
        do {
            try await Self.flow(cli, serve: serve, data: data)
        } catch {
            try? await serve.stop(signal: SIGTERM)
            throw error
        }
        try await serve.stop(signal: SIGTERM)
    }

    static func flow(_ cli: CLIRunner, serve: ServeProcess, data: TemporaryDirectory) async throws {
        // Nothing configured yet: a one-line hint naming `cubicle login`.
        let bare = try await cli.run(["ws", "list"])
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("cubicle login"), "\(bare.stderr)")

        let added = try await cli.run(["context", "add", "dev", "--server", serve.url, "--token-file", data.file("admin-token")])
        try #require(added.status == 0, "\(added.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: cli.configPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let contexts = try await cli.run(["context", "list"])
        #expect(contexts.output.contains("dev") && contexts.output.contains("admin"))
        let token = try data.read("admin-token").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!contexts.output.contains(token) && !added.stderr.contains(token), "a token is never printed")

        // Create: progress lines on stderr ending with Running, the name on stdout.
        let created = try await cli.run(["ws", "create", "--blueprint", "minimal"])
        try #require(created.status == 0, "\(created.stderr) \(ServeProcess.tail(serve.logPath))")
        let name = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(name.hasPrefix("admin-"), "\(created.output)")
        let lines = created.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("[") && $0.contains("] [Pod/\(name)] ") }, "[time] [object] message lines: \(created.stderr)")
        #expect(lines.last?.contains("is Running") == true, "\(created.stderr)")

        let listed = try await cli.run(["ws", "list", "-o", "json"])
        #expect(listed.status == 0)
        let workspaces = try JSONObject(Data(listed.stdout)).array
        #expect(workspaces.contains { $0["name"] as? String == name && $0["status"] as? String == "Running" }, "\(listed.output)")

        try await execRoundTrips(cli, name: name)
        try await CLIShellTests.aShellInARealTerminal(cli, name: name)
        try await copiesBothWays(cli, name: name)
        try await anInterruptedUploadResumes(cli, name: name, serve: serve, token: token)

        // Errors a user meets: the server's 404 message, bad usage, an unreachable server.
        let missing = try await cli.run(["ws", "get", "nope-1234567"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found") && missing.stderr.contains("not_found"), "\(missing.stderr)")
        let usage = try await cli.run(["exec", name])
        #expect(usage.status == 2, "\(usage.stderr)")
        let (fd, port) = try refusingPort()
        defer { close(fd) }
        let unreachable = try await cli.run(["ws", "list", "--server", "http://127.0.0.1:\(port)"], timeout: 60)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot reach"), "\(unreachable.stderr)")

        // Stop, start again, delete — each followed to its end.
        let stopped = try await cli.run(["ws", "stop", name, "--wait"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        try await eventually("the workspace reads Stopped") {
            try await cli.run(["ws", "get", name, "-o", "json"]).output.contains("\"Stopped\"")
        }
        let started = try await cli.run(["ws", "start", name])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.output.trimmingCharacters(in: .whitespacesAndNewlines) == name)
        let deleted = try await cli.run(["ws", "delete", name, "--wait"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try await cli.run(["ws", "get", name])
        #expect(gone.status == 1 && gone.stderr.contains("not found"), "\(gone.stderr)")
    }

    /// 5 MiB of random bytes through `cat` come back byte for byte; the remote exit code is ours.
    static func execRoundTrips(_ cli: CLIRunner, name: String) async throws {
        let input = cli.home.file("random.bin")
        let bytes = (0..<(5 << 20)).map { _ in UInt8.random(in: 0...255) }
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let echoed = try await cli.run(["exec", name, "--", "cat"], inputFile: input)
        #expect(echoed.status == 0, "\(echoed.stderr)")
        #expect(echoed.stdout.count == bytes.count)
        #expect(echoed.stdout == bytes, "the bytes came back changed")

        let split = try await cli.run(["exec", "--no-stdin", name, "--", "sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(split.status == 7)
        #expect(split.output == "out\n")
        #expect(split.stderr == "err\n")
    }

    /// 200 MiB up (the resumable API, parts in flight) and down, with matching SHA-256.
    static func copiesBothWays(_ cli: CLIRunner, name: String) async throws {
        let source = cli.home.file("big.bin")
        let back = cli.home.file("big.back")
        let hash = try await blocking { try Self.writeRandom(source, bytes: 200 << 20) }
        let up = try await cli.run(["cp", source, "\(name):~/big.bin"])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stderr.contains(hash), "the server reports the same SHA-256: \(up.stderr)")
        let down = try await cli.run(["cp", "\(name):~/big.bin", back])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try await blocking { try Self.sha256(back) } == hash)

        // A directory as one tar stream each way: nested files, modes and symlinks kept.
        let tree = cli.home.file("tree")
        try FileManager.default.createDirectory(atPath: tree + "/a/b", withIntermediateDirectories: true)
        try "nested\n".write(toFile: tree + "/a/b/x.txt", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: tree + "/a")
        try FileManager.default.createSymbolicLink(atPath: tree + "/a/link", withDestinationPath: "b/x.txt")
        let treeUp = try await cli.run(["cp", "-r", tree, "\(name):~/tree"])
        #expect(treeUp.status == 0, "\(treeUp.stderr)")
        let treeBack = cli.home.file("tree.back")
        let treeDown = try await cli.run(["cp", "-r", "\(name):~/tree", treeBack])
        #expect(treeDown.status == 0, "\(treeDown.stderr)")
        #expect(try String(contentsOfFile: treeBack + "/a/b/x.txt", encoding: .utf8) == "nested\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: treeBack + "/a/link") == "b/x.txt")
        #expect(try FileManager.default.attributesOfItem(atPath: treeBack + "/a")[.posixPermissions] as? Int == 0o750)
    }

    /// A big upload killed half way and run again sends only the parts still missing.
    static func anInterruptedUploadResumes(_ cli: CLIRunner, name: String, serve: ServeProcess, token: String) async throws {
        let source = cli.home.file("huge.bin")
        let hash = try await blocking { try Self.writeRandom(source, bytes: 384 << 20) }
        let first = try await cli.spawn(["cp", "--parallel", "1", source, "\(name):~/huge.bin"], log: "first-cp.log")
        let stateDirectory = cli.home.file("config/uploads")
        var received = 0
        try await eventually("some parts of the first run arrived", within: 120) {
            guard first.isRunning else { throw TestFailure("the first cp ended before it was interrupted: \(try await first.log())") }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []
            guard let state = files.first,
                  let json = try? JSONObject(Data(contentsOf: URL(fileURLWithPath: "\(stateDirectory)/\(state)"))),
                  let id = json["uploadId"] as? String else { return false }
            let status = try await ServerHarness.exchange(
                "GET", "\(serve.url)/api/v1/workspaces/\(name)/files/uploads/\(id)", bearer: token).json()
            received = (status["receivedBytes"] as? NSNumber)?.intValue ?? 0
            return received > 0
        }
        try await first.stop(signal: SIGKILL)
        let second = try await cli.run(["cp", "--parallel", "2", source, "\(name):~/huge.bin"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming upload"), "the second run picked the first one up: \(second.stderr)")
        #expect(second.stderr.contains(hash))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory))?.isEmpty ?? true, "the state is gone once complete")
        let remote = try await cli.run(["exec", "--no-stdin", name, "--", "sha256sum", "huge.bin"])
        #expect(remote.output.hasPrefix(hash), "\(remote.output)")
    }

    static func writeRandom(_ path: String, bytes count: Int) throws -> String {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        var generator = SystemRandomNumberGenerator()
        var left = count
        while left > 0 {
            let size = min(left, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: size)
            for index in stride(from: 0, to: size, by: 8) {
                withUnsafeBytes(of: generator.next() as UInt64) { word in
                    for offset in 0..<min(8, size - index) { chunk[index + offset] = word[offset] }
                }
            }
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            left -= size
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
