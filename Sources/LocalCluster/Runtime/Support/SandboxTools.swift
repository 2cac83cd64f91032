#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host programs the runtime drives, by absolute path.
struct SandboxTools: Sendable, Hashable {
    /// `/bin/sh`, which runs the sandbox script.
    var shell: String
    /// util-linux `unshare`.
    var unshare: String
    /// util-linux `nsenter`.
    var nsenter: String
    /// coreutils `rm`.
    var rm: String

    /// Where programs are looked up, and the `PATH` given to the runtime's helper processes.
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// Programs the sandbox script calls (they must exist, but the runtime never runs them itself).
    static let scriptPrograms = ["mount", "umount", "pivot_root", "mkdir", "ln", "readlink", "sleep", "chmod"]

    /// Finds a program in `searchPath`.
    static func find(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Finds every tool; on failure, the names of the missing ones.
    static func locate() -> Result<SandboxTools, MissingTools> {
        let shell = access("/bin/sh", X_OK) == 0 ? "/bin/sh" : nil
        let unshare = find("unshare"), nsenter = find("nsenter"), rm = find("rm")
        var missing: [String] = []
        if shell == nil { missing.append("/bin/sh") }
        if unshare == nil { missing.append("unshare") }
        if nsenter == nil { missing.append("nsenter") }
        if rm == nil { missing.append("rm") }
        missing += scriptPrograms.filter { find($0) == nil }
        guard missing.isEmpty, let shell, let unshare, let nsenter, let rm else {
            return .failure(MissingTools(names: missing))
        }
        return .success(SandboxTools(shell: shell, unshare: unshare, nsenter: nsenter, rm: rm))
    }
}

/// Programs the sandbox needs but the host lacks.
struct MissingTools: Error, Hashable {
    /// Their names.
    var names: [String]
}
