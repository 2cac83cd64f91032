import Foundation

/// A path named by a file request, checked before anything reaches SFTP: absolute, `~` or
/// `~/…`, no NUL or control bytes, bounded in length. Everything else (`..`, symlinks,
/// permissions) is the workspace file system's business, decided as the workspace user.
struct WorkspacePath: Equatable, Sendable {
    /// The path as given (absolute or `~`-relative); the SFTP client resolves `~`.
    let value: String

    /// The longest accepted path in bytes (Linux `PATH_MAX`).
    static let maximumLength = 4096
    /// The longest accepted path component in bytes (Linux `NAME_MAX`).
    static let maximumComponentLength = 255

    /// Validates `raw` (the `path` query parameter, nil when absent).
    init(_ raw: String?) throws(APIError) {
        guard let raw, !raw.isEmpty else { throw APIError.invalid("the path query parameter is required") }
        guard raw.utf8.count <= Self.maximumLength else {
            throw APIError.invalid("the path is longer than \(Self.maximumLength) bytes")
        }
        guard !raw.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw APIError.invalid("the path contains NUL or control characters")
        }
        guard raw.hasPrefix("/") || raw == "~" || raw.hasPrefix("~/") else {
            throw APIError.invalid("the path must be absolute or start with ~/ (got \"\(Self.shown(raw))\")")
        }
        guard raw.split(separator: "/").allSatisfy({ $0.utf8.count <= Self.maximumComponentLength }) else {
            throw APIError.invalid("a path component is longer than \(Self.maximumComponentLength) bytes")
        }
        value = raw
    }

    /// The path for messages, bounded so a huge input does not come back whole.
    static func shown(_ path: String) -> String {
        path.count > 120 ? String(path.prefix(120)) + "…" : path
    }

    /// The directory part of an absolute path (`/` for top-level names).
    static func directory(of absolute: String) -> String {
        guard let slash = absolute.lastIndex(of: "/") else { return "/" }
        let head = String(absolute[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// The last component of an absolute path (empty for `/` or a trailing slash).
    static func name(of absolute: String) -> String {
        guard let slash = absolute.lastIndex(of: "/") else { return absolute }
        return String(absolute[absolute.index(after: slash)...])
    }

    /// The name a file can be written to: not empty, not `.` or `..`.
    static func isWritableName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".."
    }

    /// A fresh temporary name next to the target, hidden and recognisable.
    static func temporary(in directory: String, id: String) -> String {
        (directory == "/" ? "" : directory) + "/.cubicle-upload-\(id)"
    }
}
