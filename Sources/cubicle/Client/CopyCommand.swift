import ArgumentParser
import CubicleClient
import CubicleModel
import Foundation
import Synchronization

/// `cubicle cp SRC DST`: files between here and a workspace, `WORKSPACE:PATH` naming the remote side.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy files to or from a workspace (WORKSPACE:PATH); big uploads resume, downloads resume with Range.",
        discussion: """
            Files of 64 MiB and more (--resumable-threshold) go up through the resumable upload API,
            several parts in flight; the upload's id is kept beside the configuration file, so the
            same command run again after an interruption sends only the missing parts. A download
            into an existing shorter file with --continue asks only for the rest. `-` is stdin or
            stdout. Directories: -r sends a tar stream through exec (one round trip, modes kept;
            the workspace needs tar).

            Examples:
              cubicle cp ./big.iso alice-59936c3:~/big.iso
              cubicle cp alice-59936c3:~/results.csv .
              cubicle cp -r ./src alice-59936c3:~/project
              tar c . | cubicle cp - alice-59936c3:~/backup.tar
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "The source: a local path, -, or WORKSPACE:PATH.")
    var source: String
    @Argument(help: "The destination: a local path, -, or WORKSPACE:PATH.")
    var destination: String
    @Flag(help: "Create missing parent directories in the workspace.")
    var mkdirs = false
    @Option(help: "Octal permission bits of an uploaded file, e.g. 0600.")
    var mode: String?
    @Flag(name: .customLong("no-clobber"), help: "Do not replace an existing file.")
    var noClobber = false
    @Flag(name: .short, help: "Copy a directory (a tar stream through exec).")
    var recursive = false
    @Flag(name: .customLong("continue"), help: "Resume a download into the existing local file.")
    var resume = false
    @Option(name: .customLong("resumable-threshold"), help: "Bytes from which uploads use the resumable API.")
    var resumableThreshold: Int64 = 64 << 20
    @Option(help: "Parts in flight for a resumable upload.")
    var parallel = 4

    enum Side {
        case local(String)
        case remote(workspace: String, path: String)
    }

    static func side(_ text: String) -> Side {
        // `C:\\…`-like or path-like text stays local; `name:path` with a DNS-label name is remote.
        if let colon = text.firstIndex(of: ":"), !text.hasPrefix("/"), !text.hasPrefix("."),
           DNSLabel.isValid(String(text[..<colon])) {
            return .remote(workspace: String(text[..<colon]), path: String(text[text.index(after: colon)...]))
        }
        return .local(text)
    }

    func run() async throws {
        switch (Self.side(source), Self.side(destination)) {
        case (.local(let from), .remote(let workspace, let path)):
            try await upload(from, workspace: workspace, path: path)
        case (.remote(let workspace, let path), .local(let to)):
            try await download(workspace: workspace, path: path, to: to)
        case (.local, .local):
            throw ClientError.invalid("one side must be WORKSPACE:PATH")
        case (.remote, .remote):
            throw ClientError.invalid("copy between two workspaces goes through here: download, then upload")
        }
    }

    private func upload(_ from: String, workspace: String, path: String) async throws {
        if recursive { return try await TarCopy(options: options).upload(directory: from, workspace: workspace, path: path) }
        var target = path.isEmpty ? "~/" : path
        if target.hasSuffix("/") { target += (from == "-" ? "stdin" : (from as NSString).lastPathComponent) }
        let file = try await LocalFile.openForReading(from)
        var upload = UploadOptions()
        upload.mkdirs = mkdirs
        upload.mode = mode
        upload.overwrite = !noClobber
        upload.resumableThreshold = resumableThreshold
        upload.parallelParts = parallel
        upload.stateDirectory = try await ConfigStore.load().stateDirectory
        let quiet = options.quiet
        upload.onResume = { id, received in
            if !quiet { Console.note("resuming upload \(id): \(Human.bytes(received)) already there") }
        }
        let meter = TransferMeter(label: "\(workspace):\(target)", enabled: options.decorates)
        do {
            let result: JSONValue
            do {
                result = try await options.withAPI { api in
                    try await api.upload(file, to: workspace, path: target, options: upload) { done, total in meter.update(done, total) }
                }
                await file.close()
            } catch {
                await file.close()
                throw error
            }
            meter.finish()
            if options.output == .json || options.output == .yaml {
                Printer(format: options.output).print(result, columns: [], name: { _ in "" })
            } else if !options.quiet {
                Console.note("\(result.text("path")): \(Human.bytes(result["size"]?.intValue ?? 0)), sha256 \(result.text("sha256"))")
            }
        } catch let error as ClientError where !error.isFromServer && (file.size ?? 0) >= resumableThreshold {
            meter.finish()
            throw ClientError(error.code, "\(error.message); run the same command again to resume the upload", status: error.status)
        }
    }

    private func download(workspace: String, path: String, to: String) async throws {
        if recursive { return try await TarCopy(options: options).download(workspace: workspace, path: path, to: to) }
        var target = to
        var isDirectory: ObjCBool = false
        if to != "-", FileManager.default.fileExists(atPath: to, isDirectory: &isDirectory), isDirectory.boolValue {
            target = (to as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        }
        let existing = target == "-" ? 0 : ((try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) ?? 0) ?? 0
        let offset = resume ? existing : 0
        if offset == 0, target != "-" {
            // Asked first, so a typo or a stopped workspace never empties an existing local file.
            guard try await options.withAPI({ try await $0.remoteSize(workspace, path: path) }) != nil else {
                throw ClientError(.notFound, "\(workspace):\(path) does not exist", status: 404)
            }
        }
        let file = try await LocalFile.openForWriting(target, append: offset > 0)
        let meter = TransferMeter(label: "\(workspace):\(path)", enabled: options.decorates && target != "-")
        do {
            try await options.withAPI { api in
                _ = try await api.download(workspace, path: path, into: file, from: offset) { done, total in meter.update(done, total) }
            }
            try await file.sync()
            await file.close()
            meter.finish()
        } catch let error as ClientError where !error.isFromServer {
            await file.close()
            meter.finish()
            throw ClientError(error.code, "\(error.message); `cubicle cp --continue \(source) \(destination)` resumes", status: error.status)
        }
    }
}

/// Bytes, rate and ETA of a transfer, redrawn on stderr (a terminal only).
final class TransferMeter: Sendable {
    private let label: String
    private let enabled: Bool
    private let started = Date()
    private let last = Mutex<Date?>(nil)

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
    }

    func update(_ done: Int64, _ total: Int64?) {
        guard enabled else { return }
        let now = Date()
        let due = last.withLock { last in
            if let previous = last, now.timeIntervalSince(previous) < 0.2, done != total { return false }
            last = now
            return true
        }
        guard due else { return }
        let elapsed = max(0.001, now.timeIntervalSince(started))
        let rate = Double(done) / elapsed
        var text = "\(label)  \(Human.bytes(done))"
        if let total, total > 0 {
            let percent = Int(Double(done) * 100 / Double(total))
            let eta = rate > 0 ? Human.duration(Double(total - done) / rate) : "-"
            text += " / \(Human.bytes(total))  [\(JobProgress.barText(percent))] \(percent)%  ETA \(eta)"
        }
        text += "  \(Human.bytes(Int64(rate)))/s"
        Console.write("\r\u{1B}[2K" + text, to: .standardError)
    }

    func finish() {
        if enabled, last.withLock({ $0 }) != nil { Console.write("\n", to: .standardError) }
    }
}
