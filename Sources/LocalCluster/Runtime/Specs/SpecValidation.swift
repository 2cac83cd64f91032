#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A volume mount checked against the host: canonical source, whether it is a file.
struct PlannedMount: Sendable, Hashable {
    /// The canonical host path.
    var source: String
    /// The absolute path inside the pod.
    var target: String
    /// Read-only inside the pod.
    var readOnly: Bool
    /// The source is not a directory, so the mount point must be a file.
    var isFile: Bool
}

/// Checks specs before anything touches the host; pure where it can be, so tests can call it.
enum SpecValidation {
    private static let hostnameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    private static let uidCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

    /// Checks the parts of a sandbox spec that need no file system.
    static func check(_ spec: SandboxSpec) throws(RuntimeError) {
        guard !spec.podUID.isEmpty, spec.podUID.count <= 128, !spec.podUID.hasPrefix("."),
              spec.podUID.allSatisfy(uidCharacters.contains)
        else { throw .invalidSpec("pod uid \(quoted(spec.podUID)) must be 1-128 letters, digits, '-', '_' or '.'") }
        guard !spec.hostname.isEmpty, spec.hostname.count <= 64, spec.hostname.allSatisfy(hostnameCharacters.contains),
              !spec.hostname.hasPrefix("-"), !spec.hostname.hasPrefix(".")
        else { throw .invalidSpec("hostname \(quoted(spec.hostname)) must be a lowercase DNS name of at most 64 characters") }
        guard isLoopbackIPv4(spec.ip) else {
            throw .invalidSpec("pod IP \(quoted(spec.ip)) must be an IPv4 address in 127.0.0.0/8")
        }
        try checkOverlaySafe(spec.podDirectory, what: "pod directory")
        var targets: Set<String> = []
        for volume in spec.volumes {
            try checkContainerPath(volume.containerPath)
            guard targets.insert(normalized(volume.containerPath)).inserted else {
                throw .invalidSpec("two volumes are mounted at \(volume.containerPath)")
            }
            if let subPath = volume.subPath {
                guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains(".."), !subPath.contains("\0") else {
                    throw .invalidSpec("subPath \(quoted(subPath)) must be a relative path without '..'")
                }
            }
        }
    }

    /// Checks a container spec.
    static func check(_ spec: ContainerSpec) throws(RuntimeError) {
        guard isDNSLabel(spec.name) else {
            throw .invalidSpec("container name \(quoted(spec.name)) must be a DNS label (lowercase letters, digits, '-', at most 63)")
        }
        guard let program = spec.argv.first, !program.isEmpty else {
            throw .invalidSpec("container \(spec.name) has no command")
        }
        guard !program.contains("="), spec.argv.allSatisfy({ !$0.contains("\0") }) else {
            throw .invalidSpec("container \(spec.name): the command must not contain '=' or NUL")
        }
        for (name, value) in spec.env {
            guard !name.isEmpty, !name.contains("="), !name.contains("\0"), !value.contains("\0") else {
                throw .invalidSpec("container \(spec.name): invalid environment variable name \(quoted(name))")
            }
        }
        if let directory = spec.workingDir {
            guard directory.hasPrefix("/"), !directory.contains("\0") else {
                throw .invalidSpec("container \(spec.name): workingDir must be an absolute path")
            }
        }
    }

    /// Resolves volumes against the host: sources must exist, and a subPath must stay inside
    /// its volume after symlinks are resolved. Blocking (realpath, stat).
    static func plan(_ volumes: [VolumeMount]) throws(RuntimeError) -> [PlannedMount] {
        var planned: [PlannedMount] = []
        for volume in volumes {
            guard let root = FileIO.realPath(volume.hostPath) else {
                throw .invalidSpec("volume source \(volume.hostPath) does not exist")
            }
            var source = root
            if let subPath = volume.subPath, !subPath.isEmpty {
                guard let resolved = FileIO.realPath(root + "/" + subPath) else {
                    throw .invalidSpec("subPath \(subPath) does not exist in \(volume.hostPath)")
                }
                guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                    throw .invalidSpec("subPath \(subPath) escapes its volume \(volume.hostPath)")
                }
                source = resolved
            }
            planned.append(PlannedMount(
                source: source, target: normalized(volume.containerPath), readOnly: volume.readOnly,
                isFile: FileIO.kind(source) != .directory))
        }
        return planned
    }

    /// Overlay options are comma- and colon-separated; such paths cannot be passed safely.
    static func checkOverlaySafe(_ path: String, what: String) throws(RuntimeError) {
        guard path.hasPrefix("/"), path != "/", !path.contains(where: { ",:\\\n\0".contains($0) }) else {
            throw .invalidSpec("\(what) \(quoted(path)) must be an absolute path without ',', ':', '\\' or newlines")
        }
    }

    private static func checkContainerPath(_ path: String) throws(RuntimeError) {
        let parts = path.split(separator: "/")
        guard path.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains("."), !path.contains("\0") else {
            throw .invalidSpec("mount path \(quoted(path)) must be absolute, not '/', and without '.' or '..'")
        }
        guard parts[0] != "proc", parts[0] != "sys" else {
            throw .invalidSpec("mount path \(path) is inside /proc or /sys")
        }
    }

    /// `/a//b/` → `/a/b`.
    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }

    static func isDNSLabel(_ name: String) -> Bool {
        guard (1...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        return name.allSatisfy(allowed.contains) && first != "-" && last != "-"
    }

    static func isLoopbackIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        let octets = parts.compactMap { part -> Int? in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let value = Int(part), (0...255).contains(value) else { return nil }
            return value
        }
        return octets.count == 4 && octets[0] == 127
    }

    private static func quoted(_ text: String) -> String {
        "\"\(text.prefix(80))\""
    }
}
