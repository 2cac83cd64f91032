import Foundation

/// Resource figures of this process (the in-process server) and of child processes, from /proc.
enum ProcessStats {
    /// Resets this process's peak RSS (`VmHWM`) so the next reading covers only what follows.
    static func resetPeakRSS() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// `VmHWM` of this process in bytes.
    static func peakRSS() -> Int { statusField("VmHWM:", of: "self") }

    /// `VmRSS` of process `pid` in bytes (0 once it is gone).
    static func rss(of pid: Int32) -> Int { statusField("VmRSS:", of: String(pid)) }

    /// User plus system CPU seconds of `/proc/<process>/stat` ("self", a pid, or "self/task/<tid>").
    static func cpuSeconds(of process: String = "self") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
              let ticks = cpuTicks(stat: text) else { return 0 }
        return Double(ticks) / Double(clockTicksPerSecond)
    }

    /// utime + stime (fields 14 and 15) of a `/proc/…/stat` line; nil when it does not parse.
    /// The command name (field 2) may hold spaces and parentheses, so fields count from the last `)`.
    static func cpuTicks(stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // After the name: state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    /// The kernel's clock ticks per second for /proc CPU figures.
    static let clockTicksPerSecond = max(1, sysconf(Int32(_SC_CLK_TCK)))

    private static func statusField(_ name: String, of process: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}

/// Seconds on the monotonic clock, for timing on threads and tasks alike.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
