import App
import Foundation

/// What a benchmark ran on, for the header above the table: figures mean little without it.
struct MachineInfo: Sendable, Equatable {
    /// Online processors (`nproc`).
    let processors: Int
    /// `model name` from /proc/cpuinfo.
    let model: String
    /// `MemTotal` from /proc/meminfo, in bytes.
    let memoryBytes: Int

    /// `debug` or `release`: debug builds are several times slower, so every header says which.
    static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// Reads this machine's figures (off the cooperative pool).
    static func current() async throws -> MachineInfo {
        try await Offload.run {
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
            return MachineInfo(cpuinfo: cpuinfo, meminfo: meminfo, processors: ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    /// Parses the /proc texts; unknown fields read as `unknown` / 0.
    init(cpuinfo: String, meminfo: String, processors: Int) {
        self.processors = processors
        model = Self.field("model name", in: cpuinfo) ?? "unknown"
        let kilobytes = Self.field("MemTotal", in: meminfo)?.split(separator: " ").first.flatMap { Int($0) } ?? 0
        memoryBytes = kilobytes * 1024
    }

    /// The header lines: date, build, machine, and which scenarios ran.
    func headerLines(scenarios: [String], date: Date = Date()) -> [String] {
        let stamp = ISO8601DateFormatter().string(from: date)
        let gibibytes = Double(memoryBytes) / Double(1 << 30)
        return [
            "cubicle-bench \(scenarios.joined(separator: ", ")) — \(stamp)",
            "build: \(Self.build); machine: \(processors) × \(model), \(String(format: "%.1f", gibibytes)) GiB memory",
        ]
    }

    /// The value of the first `key : value` line of a /proc file.
    private static func field(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key else { continue }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
