import App
import ArgumentParser
import Foundation

/// `cubicle-bench shell-scale`: many concurrent TTY sessions echoing a steady input stream,
/// through Cubicle's WebSocket and over OpenSSH straight to the same sshd.
struct ShellScaleBenchmark: Scenario {
    static let configuration = CommandConfiguration(
        commandName: "shell-scale",
        abstract: "N concurrent TTY sessions at --rate bytes/s each: drops, p99 echo, server RSS and CPU, vs OpenSSH.",
        discussion: """
            Both sides run `sh -c 'stty raw -echo isig && printf READY && exec cat'` on a PTY of the same \
            workspace sshd (process kubelet). After every session printed READY (or --open-timeout passed), \
            each writes --chunk bytes every chunk/rate seconds for --seconds, timing each write until its \
            last byte has been echoed, then sends Ctrl-C. Cubicle side: the WebSocket clients run in a child \
            process (`cubicle-bench shell-scale-client`), so this process holds only the server; server CPU \
            is this process's utime+stime over the steady phase (% of one core) and server RSS its VmHWM, \
            reset at the phase start. Reference: ceil(N/200) OpenSSH ControlMaster connections (sshd allows \
            MaxSessions 256 per connection) and one `ssh -S <socket> -tt` mux client process per session, \
            driven by one poll(2) loop in this process; its "server" CPU and RSS are those of all the ssh \
            processes (masters and mux clients), the part that stands where Cubicle's server stands. A drop \
            is a session that did not open, failed, or closed before the phase ended.
            """
    )

    @Option(help: "Concurrent sessions per side.")
    var sessions = 500

    @Option(help: "Seconds of steady load per side.")
    var seconds = 60.0

    @Option(help: "Input bytes per second per session.")
    var rate = 40960

    @Option(help: "Bytes per write (writes per second per session = rate / chunk).")
    var chunk = 4096

    @Option(help: "Seconds sessions get to open before the phase starts without them.")
    var openTimeout = 10.0

    @Option(help: "Sessions per OpenSSH ControlMaster connection on the reference side (at most 256).")
    var perMaster = 200

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard sessions > 0, seconds > 0, rate > 0, chunk > 0, openTimeout > 0, (1...256).contains(perMaster) else {
            throw ValidationError("--sessions, --seconds, --rate, --chunk, --open-timeout must be positive; --per-master 1…256")
        }
    }

    func measure(into report: MeasureReport) async throws {
        signal(SIGPIPE, SIG_IGN)
        let load = ScaleLoad(sessions: sessions, seconds: seconds, rate: rate, chunk: chunk, openTimeout: openTimeout)
        let perMaster = self.perMaster
        try await withBenchWorkspace(options) { workspace in
            let mine = try await Self.cubicle(workspace, load: load)
            let theirs = try await Offload.run { try SSHScaleDriver(workspace: workspace, load: load, perMaster: perMaster).run() }
            for (side, result) in [("cubicle", mine.result), ("openssh", theirs.result)] where !result.reasons.isEmpty {
                FileHandle.standardError.write(Data("shell-scale: \(side) drops: \(result.reasons.joined(separator: " | "))\n".utf8))
            }
            let a = mine.result
            let b = theirs.result
            let add = { (metric: String, cubicle: Double, reference: Double?, unit: String, n: Int) in
                report.add(Measure(scenario: "shell-scale", metric: metric, cubicle: cubicle, reference: reference, unit: unit, n: n))
            }
            add("sessions-opened", Double(a.opened), Double(b.opened), "sessions", load.sessions)
            add("drops", Double(a.drops), Double(b.drops), "sessions", load.sessions)
            add("ssh-connections", Double(mine.connections), Double(theirs.masters), "conns", load.sessions)
            add("echo-p50", a.echoP50, b.echoP50, "ms", a.samples)
            add("echo-p99", a.echoP99, b.echoP99, "ms", a.samples)
            add("bytes-echoed", Double(a.bytesReceived) / 1_048_576, Double(b.bytesReceived) / 1_048_576, "MiB", load.sessions)
            add("server-peak-rss", Double(mine.peakRSS) / 1_048_576, Double(theirs.sshRSS) / 1_048_576, "MiB", load.sessions)
            add("server-cpu", mine.cpu / load.seconds * 100, theirs.sshCPU / load.seconds * 100, "%core", load.sessions)
            add("load-client-cpu", a.driverCPU / load.seconds * 100, b.driverCPU / load.seconds * 100, "%core", load.sessions)
        }
    }

    /// The Cubicle side's figures.
    struct CubicleSide: Sendable {
        let result: ScaleResult
        /// Server CPU seconds over the steady phase.
        let cpu: Double
        /// Server VmHWM over the steady phase, bytes.
        let peakRSS: Int
        /// TCP connections from this process to the workspace sshd during the phase.
        let connections: Int
    }

    /// Runs the WebSocket load generator as a child process and measures this process meanwhile.
    static func cubicle(_ workspace: BenchWorkspace, load: ScaleLoad) async throws -> CubicleSide {
        let url = workspace.interactiveURL(command: ShellPrograms.echo, tty: true)
        let loadJSON = String(decoding: try JSONEncoder().encode(load), as: UTF8.self)
        let child = try Child.spawn(
            "/proc/self/exe", ["shell-scale-client", "--url", url, "--token", workspace.token, "--load", loadJSON],
            stderr: "\(workspace.scratch)/scale-client.log")
        close(child.stdin)
        let podIP = workspace.podIP
        let scratch = workspace.scratch
        return try await Offload.run {
            defer {
                close(child.stdout)
                child.kill()
                child.wait()
            }
            var lines = LineReader(child: child)
            guard lines.next() == "STEADY" else {
                throw BenchError("the load client failed: \((try? String(contentsOfFile: "\(scratch)/scale-client.log", encoding: .utf8))?.suffix(800) ?? "")")
            }
            ProcessStats.resetPeakRSS()
            let cpu = ProcessStats.cpuSeconds()
            usleep(UInt32(min(load.seconds / 2, 2) * 1_000_000))
            let connections = Self.connections(to: podIP)
            guard let line = lines.next(), let result = try? JSONDecoder().decode(ScaleResult.self, from: Data(line.utf8)) else {
                throw BenchError("the load client ended without a result: \((try? String(contentsOfFile: "\(scratch)/scale-client.log", encoding: .utf8))?.suffix(800) ?? "")")
            }
            return CubicleSide(result: result, cpu: ProcessStats.cpuSeconds() - cpu, peakRSS: ProcessStats.peakRSS(), connections: connections)
        }
    }

    /// Established TCP connections to `<ip>:2222` (the workspace sshd) seen in /proc/net/tcp.
    static func connections(to ip: String) -> Int {
        let parts = ip.split(separator: ".").compactMap { UInt8($0) }
        // /proc files report size 0, so read to end of file rather than by the reported size.
        guard parts.count == 4, let handle = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return 0 }
        let table = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        try? handle.close()
        // /proc/net/tcp prints the address as a little-endian hex word, then the port in hex.
        let remote = parts.reversed().map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined() + ":08AE"
        return table.split(separator: "\n").dropFirst().filter { row in
            let fields = row.split(separator: " ")
            return fields.count > 3 && fields[2] == remote && fields[3] == "01"
        }.count
    }
}

/// Reads newline-terminated lines from a child's stdout (blocking).
struct LineReader {
    let child: Child
    private var pending: [UInt8] = []

    init(child: Child) { self.child = child }

    /// The next line without its newline; nil at end of file.
    mutating func next() -> String? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            guard let count = try? child.read(into: &buffer), count > 0 else { return nil }
            pending += buffer[0..<count]
        }
    }
}
