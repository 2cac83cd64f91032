#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the host's `/proc`: process identity (pid + start time, which together never repeat),
/// parentage, sessions and PID namespaces. Blocking; worker thread only.
enum ProcFS {
    /// The fields of `/proc/<pid>/stat` the runtime uses.
    struct Stat: Equatable {
        /// The process state letter (`Z` for a zombie).
        var state: Character
        /// The parent's pid.
        var parent: pid_t
        /// The session id.
        var session: pid_t
        /// Start time in clock ticks after boot; with the pid, a unique process identity.
        var startTime: UInt64
    }

    /// Parses `/proc/<pid>/stat` text; the command name may contain spaces and parentheses, so
    /// fields are counted from the last `)`.
    static func parseStat(_ text: String) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state) of proc(5), so field n is fields[n - 3].
        guard fields.count > 19,
              let state = fields[0].first,
              let parent = pid_t(fields[1]),
              let session = pid_t(fields[3]),
              let startTime = UInt64(fields[19])
        else { return nil }
        return Stat(state: state, parent: parent, session: session, startTime: startTime)
    }

    /// The stat of a live (or zombie) process.
    static func stat(_ pid: pid_t) -> Stat? {
        FileIO.read("/proc/\(pid)/stat").flatMap(parseStat)
    }

    /// The process's PID namespace as the kernel names it (`pid:[4026531836]`).
    static func pidNamespace(_ pid: pid_t) -> String? {
        FileIO.readLink("/proc/\(pid)/ns/pid")
    }

    /// Every pid in the host's process table.
    static func allPIDs() -> [pid_t] {
        (FileIO.list("/proc") ?? []).compactMap { pid_t($0) }
    }

    /// The live processes in a PID namespace (zombies excluded: they can no longer run).
    static func processes(inNamespace namespace: String) -> [pid_t] {
        allPIDs().filter { pid in
            guard pidNamespace(pid) == namespace else { return false }
            return stat(pid)?.state != "Z"
        }
    }

    /// The live processes in a PID namespace by identity. Await their end through these, never
    /// through the namespace: once a namespace is gone the kernel gives its number to the next
    /// new one (another pod's), whose processes would look like survivors.
    static func identities(inNamespace namespace: String) -> [SandboxRecord.ProcessIdentity] {
        processes(inNamespace: namespace).compactMap { pid in stat(pid).map { SandboxRecord.ProcessIdentity(pid: pid, startTime: $0.startTime) } }
    }

    /// Those of `identities` that still run (zombies excluded).
    static func survivors(_ identities: [SandboxRecord.ProcessIdentity]) -> [SandboxRecord.ProcessIdentity] {
        identities.filter { isSameProcess($0.pid, startTime: $0.startTime) }
    }

    /// The live processes whose session id is `session`.
    static func processes(inSession session: pid_t) -> [pid_t] {
        allPIDs().filter { pid in
            guard let info = stat(pid) else { return false }
            return info.session == session && info.state != "Z"
        }
    }

    /// The direct children of `parent`.
    static func children(of parent: pid_t) -> [pid_t] {
        allPIDs().filter { stat($0)?.parent == parent }
    }

    /// Whether `pid` is still the process that started at `startTime`.
    static func isSameProcess(_ pid: pid_t, startTime: UInt64) -> Bool {
        guard pid > 0, let info = stat(pid) else { return false }
        return info.startTime == startTime && info.state != "Z"
    }

    /// Sends `signal` to `pid` only if it is still the process that started at `startTime`.
    /// With a pidfd the check and the signal target the same process even if the pid is reused
    /// in between; without one the window is the few microseconds between check and `kill`.
    @discardableResult
    static func signalIfSame(_ pid: pid_t, startTime: UInt64, signal: Int32) -> Bool {
        if let pidfd = LinuxCalls.pidfdOpen(pid) {
            defer { close(pidfd) }
            guard isSameProcess(pid, startTime: startTime) else { return false }
            return LinuxCalls.pidfdSendSignal(pidfd, signal) ?? (kill(pid, signal) == 0)
        }
        guard isSameProcess(pid, startTime: startTime) else { return false }
        return kill(pid, signal) == 0
    }
}
