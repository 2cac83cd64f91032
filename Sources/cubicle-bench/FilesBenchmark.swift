import App
import ArgumentParser
import CubicleModel
import Foundation
import Synchronization

/// `cubicle-bench files`: moves one file in and out of a real workspace (process kubelet, the
/// workspace's own sshd) through Cubicle's HTTP file API with curl, and through OpenSSH's `sftp`
/// client straight to the same sshd, interleaved phase by phase (HTTP PUT, sftp put, HTTP GET,
/// sftp get, then a resumable upload in parallel parts) `--runs` times. Reports medians over runs
/// of MB/s, ratios and the server process's peak RSS.
struct FilesBenchmark: Scenario {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Measure upload/download through the HTTP file API vs OpenSSH sftp to the same sshd."
    )

    @Option(help: "File size in MiB.")
    var size = 256

    @Option(help: "Parts sent at once in the resumable-upload phase.")
    var parallel = 8

    @Option(help: "Interleaved runs; figures are medians over runs.")
    var runs = 3

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard size > 0, parallel > 0, runs > 0 else { throw ValidationError("--size, --parallel and --runs must be positive") }
    }

    func measure(into report: MeasureReport) async throws {
        try await withBenchWorkspace(options) { workspace in try await measure(workspace, into: report) }
    }

    /// One measured phase.
    struct Row: Sendable {
        let seconds: Double
        let bytes: Int
        let peakRSS: Int
        var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }
    }

    /// The phases of one run.
    struct Run: Sendable {
        let httpUpload: Row
        let sftpPut: Row
        let httpDownload: Row
        let sftpGet: Row
        let parts: Row
        /// The server's peak RSS while it moved bytes (the HTTP phases).
        var serverPeak: Int { max(httpUpload.peakRSS, httpDownload.peakRSS, parts.peakRSS) }
        /// The same process's peak while OpenSSH moved the bytes and the server idled.
        var idlePeak: Int { max(sftpPut.peakRSS, sftpGet.peakRSS) }
    }

    private func measure(_ workspace: BenchWorkspace, into report: MeasureReport) async throws {
        let scratch = workspace.scratch
        let bytes = size << 20
        try await Offload.run {
            try Self.randomFile("\(scratch)/source", bytes: bytes)
            try Self.split("\(scratch)/source", bytes: bytes, into: scratch)
            try "put \(scratch)/source sftp.bin\n".write(toFile: "\(scratch)/put", atomically: true, encoding: .utf8)
            try "get sftp.bin \(scratch)/sftp.out\n".write(toFile: "\(scratch)/get", atomically: true, encoding: .utf8)
        }
        let files = "\(workspace.server.url)/api/v1/workspaces/\(workspace.name)/files"
        let auth = "Authorization: Bearer \(workspace.token)"
        let parallel = self.parallel
        var runs: [Run] = []
        for _ in 0..<self.runs {
            // Cubicle and OpenSSH alternate phase by phase, so drift in the machine's load hits both alike.
            let upload = try await phase(bytes) {
                try Self.execute("/usr/bin/curl", ["-sSf", "-o", "/dev/null", "-H", auth, "-T", "\(scratch)/source", "\(files)?path=~/http.bin"])
            }
            let put = try await phase(bytes) { try Self.execute("/usr/bin/sftp", workspace.sftpArguments(batch: "\(scratch)/put")) }
            let download = try await phase(bytes) {
                try Self.execute("/usr/bin/curl", ["-sSf", "-o", "\(scratch)/http.out", "-H", auth, "\(files)?path=~/http.bin"])
            }
            let get = try await phase(bytes) { try Self.execute("/usr/bin/sftp", workspace.sftpArguments(batch: "\(scratch)/get")) }
            let parts = try await phase(bytes) {
                try Self.partedUpload(files: files, auth: auth, bytes: bytes, parallel: parallel, scratch: scratch)
            }
            try await Offload.run { try Self.checkSizes([("\(scratch)/http.out", bytes), ("\(scratch)/sftp.out", bytes)]) }
            runs.append(Run(httpUpload: upload, sftpPut: put, httpDownload: download, sftpGet: get, parts: parts))
        }
        func add(_ metric: String, _ unit: String, _ cubicle: (Run) -> Double, _ reference: ((Run) -> Double)?) {
            report.add(Measure(
                scenario: Self.name, metric: metric, cubicle: median(runs.map(cubicle)),
                reference: reference.map { median(runs.map($0)) }, unit: unit, n: runs.count))
        }
        add("upload-\(size)MiB", "MB/s", { $0.httpUpload.megabytesPerSecond }, { $0.sftpPut.megabytesPerSecond })
        add("download-\(size)MiB", "MB/s", { $0.httpDownload.megabytesPerSecond }, { $0.sftpGet.megabytesPerSecond })
        add("\(parallel)-parts-vs-1-stream", "MB/s", { $0.parts.megabytesPerSecond }, { $0.httpUpload.megabytesPerSecond })
        add("peak-rss", "MiB", { Double($0.serverPeak) / Double(1 << 20) }, { Double($0.idlePeak) / Double(1 << 20) })
    }

    /// Runs `work` on its own thread, timing it and recording this process's peak RSS (the
    /// in-process server's), which is reset before the phase.
    private func phase(_ bytes: Int, _ work: @escaping @Sendable () throws -> Void) async throws -> Row {
        try await Offload.run {
            ProcessMemory.resetPeak()
            let clock = ContinuousClock()
            let start = clock.now
            try work()
            let elapsed = clock.now - start
            return Row(seconds: elapsed.milliseconds / 1000, bytes: bytes, peakRSS: ProcessMemory.peakBytes())
        }
    }

    /// Fails unless every downloaded file has the size it should: a short transfer is not a fast one.
    private static func checkSizes(_ files: [(path: String, bytes: Int)]) throws {
        for file in files {
            let size = ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? -1
            guard size == file.bytes else { throw BenchError("\(file.path) has \(size) bytes, not \(file.bytes)") }
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
        let outcome = try Program.run(program, arguments)
        guard outcome.succeeded else {
            throw BenchError("\(program) failed (\(outcome.status)): \((outcome.output + outcome.errors).prefix(300))")
        }
        return outcome.output
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
}
