import Foundation

/// This process's memory from /proc/self/status. The server runs in-process, so these are the
/// server's figures (plus the benchmark's small client side). Blocking reads: call from a
/// thread of its own (`Offload.run`).
enum ProcessMemory {
    /// `VmRSS`: resident memory now, in bytes.
    static func residentBytes() -> Int { status("VmRSS:") }

    /// `VmHWM`: the peak resident memory since start or the last `resetPeak()`, in bytes.
    static func peakBytes() -> Int { status("VmHWM:") }

    /// Resets `VmHWM` to the current RSS (`echo 5 > /proc/self/clear_refs`), so a phase's peak is its own.
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

    /// A `kB` field of /proc/self/status in bytes; 0 when unreadable.
    static func kilobytes(_ key: String, in status: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
    }

    private static func status(_ key: String) -> Int {
        kilobytes(key, in: (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? "")
    }
}
