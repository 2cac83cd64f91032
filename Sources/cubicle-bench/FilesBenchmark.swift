import App
import ArgumentParser
import Foundation
import KubeClient
import Logging
import Synchronization

/// `cubicle-bench files`: moves one file in and out of a real workspace (process kubelet, the
/// workspace's own sshd) through Cubicle's HTTP file API with curl, and through OpenSSH's `sftp`
/// client straight to the same sshd, side by side; then a resumable upload in parallel parts.
/// Reports MB/s, ratios and the server process's peak RSS per phase.
struct FilesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Measure upload/download through the HTTP file API vs OpenSSH sftp to the same sshd."
    )

    @Option(help: "File size in MiB.")
    var size = 256

    @Option(help: "Parts sent at once in the resumable-upload phase.")
    var parallel = 8

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard size > 0, parallel > 0 else { throw ValidationError("--size and --parallel must be positive") }
    }

    func run() async throws {
        options.bootstrapLogging()
        let server = try await BenchServer.start(
            repository: options.repository, provisionTimeout: 300, logger: Logger(label: "cubicle-bench"), kubelet: .process)
        let scratch = "\(FileManager.default.temporaryDirectory.path)/cubicle-bench-files-\(UUID().uuidString.prefix(8))"
        do {
            let rows = try await measure(server, scratch: scratch)
            print(rows)
        } catch {
            await cleanUp(server, scratch)
            throw error
        }
        await cleanUp(server, scratch)
    }

    private func cleanUp(_ server: BenchServer, _ scratch: String) async {
        await server.stop()
        try? await Offload.run { try FileManager.default.removeItem(atPath: scratch) }
    }

    /// One measured phase.
    struct Row: Sendable {
        let name: String
        let seconds: Double
        let bytes: Int
        let peakRSS: Int
        var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
    }

    private func measure(_ server: BenchServer, scratch: String) async throws -> [Row] {
        let api = APIClient(baseURL: server.url, connections: 4)
        defer { api.close() }
        let admin = server.adminToken
        let posted = try await api.send("POST", "/api/v1/workspaces", token: admin, json: #"{"blueprint":"dev"}"#)
        guard posted.status == 202, let name = posted.string("workspace"), let job = posted.string("jobId") else {
            throw BenchError("provisioning failed: \(posted.status) \(posted.text)")
        }
        let result = try await api.finish(job: job, token: admin, follow: .poll)
        guard result == "succeeded" else { throw BenchError("provisioning \(name) \(result)") }
        let shown = try await api.send("GET", "/api/v1/workspaces/\(name)", token: admin)
        guard let podIP = shown.string("podIP") else { throw BenchError("workspace \(name) has no pod IP") }

        let kube = try KubeClient(config: try await KubeConfig.load(path: server.kubeconfig, environment: [:]))
        let secret = try await kube.get(Secret.self, name: "\(name)-client", namespace: "default")
        await kube.shutdown()
        guard let key = secret.data?["id_ed25519"], let hostKey = secret.data?["ssh_host_ed25519_key.pub"] else {
            throw BenchError("the workspace secret lacks its keys")
        }
        let bytes = size << 20
        try await Offload.run {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: "\(scratch)/key", contents: key, attributes: [.posixPermissions: 0o600])
            let known = "[\(podIP)]:2222 \(String(decoding: hostKey, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))\n"
            try known.write(toFile: "\(scratch)/known_hosts", atomically: true, encoding: .utf8)
            try Self.randomFile("\(scratch)/source", bytes: bytes)
        }

        let files = "\(server.url)/api/v1/workspaces/\(name)/files"
        let auth = "Authorization: Bearer \(admin)"
        let ssh = [
            "-i", "\(scratch)/key", "-o", "UserKnownHostsFile=\(scratch)/known_hosts", "-o", "StrictHostKeyChecking=yes",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-P", "2222",
        ]
        var rows: [Row] = []
        rows.append(try await phase("http upload (PUT)", bytes) {
            try Self.execute("/usr/bin/curl", ["-sSf", "-o", "/dev/null", "-H", auth, "-T", "\(scratch)/source", "\(files)?path=~/http.bin"])
        })
        rows.append(try await phase("http download (GET)", bytes) {
            try Self.execute("/usr/bin/curl", ["-sSf", "-o", "\(scratch)/http.out", "-H", auth, "\(files)?path=~/http.bin"])
        })
        rows.append(try await phase("openssh sftp put", bytes) {
            try "put \(scratch)/source sftp.bin\n".write(toFile: "\(scratch)/batch", atomically: true, encoding: .utf8)
            try Self.execute("/usr/bin/sftp", ssh + ["-q", "-b", "\(scratch)/batch", "admin@\(podIP)"])
        })
        rows.append(try await phase("openssh sftp get", bytes) {
            try "get sftp.bin \(scratch)/sftp.out\n".write(toFile: "\(scratch)/batch", atomically: true, encoding: .utf8)
            try Self.execute("/usr/bin/sftp", ssh + ["-q", "-b", "\(scratch)/batch", "admin@\(podIP)"])
        })
        let parallel = self.parallel
        try await Offload.run { try Self.split("\(scratch)/source", bytes: bytes, into: scratch) }
        rows.append(try await phase("http \(parallel) parallel parts", bytes) {
            try Self.partedUpload(files: files, auth: auth, bytes: bytes, parallel: parallel, scratch: scratch)
        })
        return rows
    }

    /// Runs `work` on its own thread, timing it and recording this process's peak RSS (the
    /// in-process server's), which is reset before the phase.
    private func phase(_ name: String, _ bytes: Int, _ work: @escaping @Sendable () throws -> Void) async throws -> Row {
        try await Offload.run {
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
            let clock = ContinuousClock()
            let start = clock.now
            try work()
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Row(name: name, seconds: seconds, bytes: bytes, peakRSS: Self.peakRSS())
        }
    }

    /// Starts a resumable upload, sends its parts `parallel` at a time with curl, completes it.
    private static func partedUpload(files: String, auth: String, bytes: Int, parallel: Int, scratch: String) throws {
        let body = #"{"path":"~/parts.bin","size":\#(bytes)}"#
        let started = try execute("/usr/bin/curl", ["-sSf", "-H", auth, "-H", "Content-Type: application/json", "-d", body, "\(files)/uploads"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(started.utf8)) as? [String: Any],
              let id = object["uploadId"] as? String, let partSize = (object["partSize"] as? NSNumber)?.intValue else {
            throw BenchError("starting the upload: \(started)")
        }
        let count = (bytes + partSize - 1) / partSize
        guard partSize == expectedPartSize else { throw BenchError("the server's part size \(partSize) is not \(expectedPartSize)") }
        let group = DispatchGroup()
        let failures = Mutex<[String]>([])
        let slots = DispatchSemaphore(value: parallel)
        for index in 0..<count {
            slots.wait()
            group.enter()
            Thread {
                defer { slots.signal(); group.leave() }
                do {
                    _ = try execute("/usr/bin/curl", ["-sSf", "-o", "/dev/null", "-X", "PUT", "-H", auth, "--data-binary",
                                                      "@\(scratch)/part\(index)", "\(files)/uploads/\(id)/parts/\(index)"])
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        group.wait()
        if let failure = failures.withLock({ $0.first }) { throw BenchError("a part failed: \(failure)") }
        _ = try execute("/usr/bin/curl", ["-sSf", "-o", "/dev/null", "-X", "POST", "-H", auth, "\(files)/uploads/\(id)/complete"])
    }

    /// The part size the server announces (`FileSettings.partSize`'s default).
    private static let expectedPartSize = 8 << 20

    /// Cuts the source into part files before the timed phase, so only the transfer is measured.
    private static func split(_ source: String, bytes: Int, into scratch: String) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
        for index in 0..<((bytes + expectedPartSize - 1) / expectedPartSize) {
            try handle.seek(toOffset: UInt64(index * expectedPartSize))
            try handle.readData(ofLength: expectedPartSize).write(to: URL(fileURLWithPath: "\(scratch)/part\(index)"))
        }
        try handle.close()
    }

    /// Runs a program to completion on the calling (dedicated) thread; its stdout, or an error.
    @discardableResult
    private static func execute(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchError("\(program) failed (\(process.terminationStatus)): \(text.prefix(300))") }
        return text
    }

    private static func randomFile(_ path: String, bytes: Int) throws {
        var generator = SystemRandomNumberGenerator()
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let chunk = 1 << 20
        for _ in stride(from: 0, to: bytes, by: chunk) {
            var words = [UInt64](repeating: 0, count: chunk / 8)
            for index in words.indices { words[index] = generator.next() }
            try handle.write(contentsOf: words.withUnsafeBytes { Data($0) })
        }
        try handle.truncate(atOffset: UInt64(bytes))
        try handle.close()
    }

    /// `VmHWM` of this process in bytes.
    private static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    private func print(_ rows: [Row]) {
        var lines = ["cubicle-bench files (\(size) MiB, process kubelet, in-process server, curl vs OpenSSH sftp to the same sshd)"]
        lines.append("PHASE                        SECONDS     MB/s   PEAK-RSS-MiB")
        for row in rows {
            lines.append(row.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: " %8.2f %8.1f %10d", row.seconds, row.megabytesPerSecond, row.peakRSS >> 20))
        }
        func rate(_ prefix: String) -> Double? { rows.first { $0.name.hasPrefix(prefix) }?.megabytesPerSecond }
        if let up = rate("http upload"), let put = rate("openssh sftp put"), put > 0 {
            lines.append(String(format: "RATIO upload   http/sftp = %.2f", up / put))
        }
        if let down = rate("http download"), let get = rate("openssh sftp get"), get > 0 {
            lines.append(String(format: "RATIO download http/sftp = %.2f", down / get))
        }
        if let parts = rate("http \(parallel) parallel"), let up = rate("http upload"), up > 0 {
            lines.append(String(format: "RATIO %d parts / one stream = %.2f", parallel, parts / up))
        }
        Swift.print(lines.joined(separator: "\n"))
    }
}
