#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The standard `process_*` metrics of this process, read from `/proc` at scrape time (a few
/// small reads of kernel memory; the registry runs collectors off the cooperative pool).
public enum ProcessMetrics {
    /// The figures one scrape reports.
    public struct Figures: Sendable, Equatable {
        /// Resident set size in bytes.
        public var residentBytes: Double
        /// Virtual memory size in bytes.
        public var virtualBytes: Double
        /// User plus system CPU time in seconds.
        public var cpuSeconds: Double
        /// Start time since the Unix epoch in seconds.
        public var startTime: Double
        /// Open file descriptors.
        public var openFDs: Double
        /// The soft limit on open file descriptors.
        public var maxFDs: Double
    }

    private static let bootTime = Mutex<Double?>(nil)

    /// Adds the process collector to `registry`.
    public static func register(in registry: MetricsRegistry) {
        registry.addCollector {
            guard let figures = read() else { return [] }
            return [
                .init(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter,
                      samples: [.init(value: figures.cpuSeconds)]),
                .init(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", type: .gauge,
                      samples: [.init(value: figures.residentBytes)]),
                .init(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", type: .gauge,
                      samples: [.init(value: figures.virtualBytes)]),
                .init(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", type: .gauge,
                      samples: [.init(value: figures.startTime)]),
                .init(name: "process_open_fds", help: "Number of open file descriptors.", type: .gauge,
                      samples: [.init(value: figures.openFDs)]),
                .init(name: "process_max_fds", help: "Maximum number of open file descriptors.", type: .gauge,
                      samples: [.init(value: figures.maxFDs)]),
            ]
        }
    }

    /// Reads the figures now (blocking: small `/proc` reads); nil where `/proc` is missing.
    public static func read() -> Figures? {
        #if os(Linux)
        guard let stat = readFile("/proc/self/stat"), let parsed = parseStat(stat) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        guard ticks > 0, page > 0 else { return nil }
        let boot = bootTime.withLock { cached -> Double in
            if let cached { return cached }
            let value = readFile("/proc/stat").flatMap(parseBootTime) ?? 0
            cached = value
            return value
        }
        var limit = rlimit()
        let maxFDs = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : 0
        return Figures(
            residentBytes: Double(parsed.rssPages) * page, virtualBytes: Double(parsed.virtualBytes),
            cpuSeconds: Double(parsed.userTicks + parsed.systemTicks) / ticks,
            startTime: boot + Double(parsed.startTicks) / ticks, openFDs: Double(countOpenFDs()), maxFDs: maxFDs)
        #else
        return nil
        #endif
    }

    /// The fields of `/proc/self/stat` the metrics need.
    public struct Stat: Sendable, Equatable {
        /// utime, in clock ticks.
        public var userTicks: UInt64
        /// stime, in clock ticks.
        public var systemTicks: UInt64
        /// Start time after boot, in clock ticks.
        public var startTicks: UInt64
        /// vsize, in bytes.
        public var virtualBytes: UInt64
        /// rss, in pages.
        public var rssPages: UInt64
    }

    /// Parses `/proc/<pid>/stat`; the command name (field 2) may hold spaces and parentheses,
    /// so fields are counted after its last `)`.
    public static func parseStat(_ text: String) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state): field n is fields[n - 3].
        func field(_ n: Int) -> UInt64? {
            guard fields.count > n - 3 else { return nil }
            return UInt64(fields[n - 3].trimmingSuffixNewline)
        }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24) else {
            return nil
        }
        return Stat(userTicks: utime, systemTicks: stime, startTicks: start, virtualBytes: vsize, rssPages: rss)
    }

    /// The `btime` line of `/proc/stat`: boot time since the epoch in seconds.
    public static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingSuffixNewline)
        }
        return nil
    }

    #if os(Linux)
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func countOpenFDs() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        // The directory stream's own descriptor is not the process's.
        return max(0, count - 1)
    }
    #endif
}

extension Substring {
    fileprivate var trimmingSuffixNewline: Substring {
        var text = self
        while let last = text.last, last == "\n" || last == " " { text.removeLast() }
        return text
    }
}
