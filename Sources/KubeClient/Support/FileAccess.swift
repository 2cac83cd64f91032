import Foundation

/// Small synchronous file helpers for configuration loading; callers in async code run them
/// through `Offload`.
enum FileAccess {
    /// The file's bytes, or a message saying why it cannot be read.
    static func read(_ path: String) -> Result<[UInt8], FileProblem> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return .failure(FileProblem(message: exists ? "cannot read \(path): permission denied" : "cannot read \(path): no such file"))
        }
        defer { try? handle.close() }
        do {
            return .success([UInt8](try handle.readToEnd() ?? Data()))
        } catch {
            return .failure(FileProblem(message: "cannot read \(path): \(error.localizedDescription)"))
        }
    }

    /// `path` made absolute against `directory` when it is relative (kubeconfig path semantics).
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || path.isEmpty { return path }
        if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            return home + path.dropFirst(1)
        }
        return URL(fileURLWithPath: (directory as NSString).appendingPathComponent(path)).standardized.path
    }

    /// The directory holding `path`.
    static func directory(of path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }
}

/// Why a file could not be read.
struct FileProblem: Error {
    let message: String
}
