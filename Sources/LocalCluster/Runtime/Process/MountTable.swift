#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host mount table as `/proc/self/mountinfo` shows it. Pod mounts live in the pod's private
/// mount namespace and vanish with it; this is the safety net that finds anything that leaked
/// into the host namespace (and the source of cgroup mount points).
enum MountTable {
    /// One line of mountinfo.
    struct Entry: Equatable {
        /// The mount's root within its filesystem.
        var root: String
        /// Where it is mounted.
        var mountPoint: String
        /// The filesystem type.
        var fsType: String
        /// The per-superblock options (for cgroup v1: the controllers).
        var superOptions: [String]
    }

    /// Parses mountinfo text (see proc(5)); paths are octal-escaped there.
    static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 4 else {
                return nil
            }
            return Entry(
                root: unescape(fields[3]),
                mountPoint: unescape(fields[4]),
                fsType: fields[separator + 1],
                superOptions: fields[separator + 3].split(separator: ",").map(String.init)
            )
        }
    }

    /// The host's current mounts.
    static func current() -> [Entry] {
        parse(FileIO.read("/proc/self/mountinfo") ?? "")
    }

    /// Mount points at or below `directory`, deepest first (the order they must be unmounted in).
    static func mountPoints(under directory: String) -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return current()
            .map(\.mountPoint)
            .filter { $0 == directory || $0.hasPrefix(prefix) }
            .sorted { $0.count > $1.count }
    }

    /// Lazily detaches every mount at or below `directory`; returns those that would not go.
    @discardableResult
    static func detachAll(under directory: String) -> [String] {
        for point in mountPoints(under: directory) {
            _ = umount2(point, Int32(MNT_DETACH))
        }
        return mountPoints(under: directory)
    }

    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 3 < raw.count,
               let value = UInt8(String(decoding: raw[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
