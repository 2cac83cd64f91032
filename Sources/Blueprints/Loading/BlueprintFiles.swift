import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The blocking half of a load: finds every `*.yaml`/`*.yml` under the directory, recursively and
/// in byte order, following symlinks but skipping entries whose name starts with `..` (a
/// ConfigMap mount's `..data` and timestamped directories), reading each distinct file once, and
/// noting every directory a change could come from.
struct BlueprintFiles: Sendable {
    struct File: Sendable {
        /// The directory joined with the file's relative path, as errors name it.
        let display: String
        let text: String
    }

    /// Files larger than this are refused: blueprints are small.
    static let maximumFileBytes = 1 << 20
    /// Directories nested deeper than this are not descended into.
    static let maximumDepth = 16

    private(set) var files: [File] = []
    private(set) var diagnostics: [BlueprintDiagnostic] = []
    /// Every directory scanned plus the real directory of every file, for the watcher.
    private(set) var watchDirectories: [String] = []

    private struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private var seenFiles: Set<Identity> = []
    private var seenDirectories: Set<Identity> = []

    /// Scans `directory`.
    @available(*, noasync, message: "blocking file I/O; run it on BlockingIOThread")
    static func scan(_ directory: String) -> BlueprintFiles {
        var scan = BlueprintFiles()
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            scan.diagnostics.append(BlueprintDiagnostic(
                location: BlueprintLocation(file: directory, line: 1, column: 1), path: "",
                message: "blueprint directory cannot be read: \(String(cString: strerror(errno == 0 ? ENOTDIR : errno)))"
            ))
            scan.watchDirectories.append(directory)
            return scan
        }
        let display = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        scan.walk(directory: display, display: display, depth: 0)
        return scan
    }

    private mutating func walk(directory: String, display: String, depth: Int) {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        guard seenDirectories.insert(Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted else { return }
        watchDirectories.append(directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            report(display, "cannot list directory: \(error.localizedDescription)")
            return
        }
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) where !name.hasPrefix("..") {
            let path = directory + "/" + name
            let shown = display + "/" + name
            let isYAML = name.hasSuffix(".yaml") || name.hasSuffix(".yml")
            var entry = stat()
            guard stat(path, &entry) == 0 else {
                // A dangling symlink named like a blueprint is a broken blueprint, anything else is noise.
                if isYAML { report(shown, "cannot read: \(String(cString: strerror(errno)))") }
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR:
                if depth < BlueprintFiles.maximumDepth { walk(directory: path, display: shown, depth: depth + 1) }
            case S_IFREG where isYAML:
                let identity = Identity(device: UInt64(entry.st_dev), inode: UInt64(entry.st_ino))
                guard seenFiles.insert(identity).inserted else { continue }
                read(path, display: shown, size: Int(entry.st_size))
            default:
                continue
            }
        }
    }

    private mutating func read(_ path: String, display: String, size: Int) {
        if size > BlueprintFiles.maximumFileBytes {
            report(display, "file is larger than \(BlueprintFiles.maximumFileBytes) bytes")
            return
        }
        if let real = realpath(path, nil) {
            let resolved = String(cString: real)
            free(real)
            let parent = (resolved as NSString).deletingLastPathComponent
            if !watchDirectories.contains(parent) { watchDirectories.append(parent) }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            report(display, "cannot open: \(String(cString: strerror(errno)))")
            return
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: BlueprintFiles.maximumFileBytes + 1) ?? Data()
        } catch {
            report(display, "cannot read: \(error.localizedDescription)")
            return
        }
        if data.count > BlueprintFiles.maximumFileBytes {
            report(display, "file is larger than \(BlueprintFiles.maximumFileBytes) bytes")
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            report(display, "file is not valid UTF-8")
            return
        }
        files.append(File(display: display, text: text))
    }

    private mutating func report(_ display: String, _ message: String) {
        diagnostics.append(BlueprintDiagnostic(location: BlueprintLocation(file: display, line: 1, column: 1), path: "", message: message))
    }
}
