import App
import ArgumentParser
import Foundation

/// `cubicle-bench shell-throughput`: bulk program output through Cubicle's WebSocket (no TTY)
/// and through `ssh host 'command'` straight to the same sshd; MB/s and the server's peak RSS.
struct ShellThroughputBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell-throughput",
        abstract: "Bulk output (head -c N /dev/zero) through the WebSocket vs ssh to the same sshd.",
        discussion: """
            Both sides run `head -c <size MiB> /dev/zero` without a TTY on the same workspace sshd. The \
            Cubicle side counts stdout bytes of the WebSocket until the status frame; the ssh side reads \
            the child's stdout to end of file on a dedicated thread. Each side is timed from its first \
            output byte to its last (so connection setup is excluded on both). Runs alternate Cubicle, \
            ssh, …; the figure is the median. Peak RSS is this process's VmHWM (the in-process server \
            and the bench's WebSocket client), reset before each Cubicle run.
            """
    )

    @Option(help: "Output size in MiB.")
    var size = 256

    @Option(help: "Runs per side, interleaved.")
    var runs = 3

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard size > 0, runs > 0 else { throw ValidationError("--size and --runs must be positive") }
    }

    /// One run: seconds from first to last byte, and the peak RSS (Cubicle runs only).
    struct Run: Sendable {
        let seconds: Double
        let peakRSS: Int
    }

    func run() async throws {
        options.bootstrapLogging()
        signal(SIGPIPE, SIG_IGN)
        let report = MeasureReport()
        let bytes = size << 20
        let runs = self.runs
        try await withBenchWorkspace(options) { workspace in
            let results = try await interleaved(
                runs: runs,
                cubicle: { try await Self.cubicle(workspace, bytes: bytes) },
                reference: { try await Offload.run { try Self.ssh(workspace, bytes: bytes) } })
            func rate(_ run: Run) -> Double { run.seconds > 0 ? Double(bytes) / 1_000_000 / run.seconds : 0 }
            report.add(Measure(
                scenario: "shell-throughput", metric: "output-\(bytes >> 20)MiB", cubicle: median(results.cubicle.map(rate)),
                reference: median(results.reference.map(rate)), unit: "MB/s", n: runs))
            report.add(Measure(
                scenario: "shell-throughput", metric: "server-peak-rss", cubicle: Double(results.cubicle.map(\.peakRSS).max() ?? 0) / 1_048_576,
                reference: nil, unit: "MiB", n: runs))
        }
        report.printTable()
    }

    /// One Cubicle run.
    static func cubicle(_ workspace: BenchWorkspace, bytes: Int) async throws -> Run {
        ProcessStats.resetPeakRSS()
        let url = workspace.interactiveURL(command: ShellPrograms.output(bytes: bytes), tty: false)
        let (received, success, seconds) = try await ExecSocket.run(url: url, token: workspace.token) { socket in
            var first = 0
            var start = 0.0
            while first == 0 {
                guard let frame = try await socket.next() else { throw BenchError("the socket closed before any output") }
                switch frame {
                case .stdout(let payload) where !payload.isEmpty:
                    start = monotonicSeconds()
                    first = payload.count
                case .status(let status): throw BenchError("the program ended without output: \(String(decoding: status, as: UTF8.self))")
                default: continue
                }
            }
            let (rest, success) = try await socket.drainStdout()
            return (first + rest, success, monotonicSeconds() - start)
        }
        guard received == bytes, success else { throw BenchError("the WebSocket carried \(received) of \(bytes) bytes (success: \(success))") }
        return Run(seconds: seconds, peakRSS: ProcessStats.peakRSS())
    }

    /// One OpenSSH run on the calling thread.
    static func ssh(_ workspace: BenchWorkspace, bytes: Int) throws -> Run {
        let command = ShellPrograms.commandLine(ShellPrograms.output(bytes: bytes))
        let child = try Child.spawn("/usr/bin/ssh", workspace.sshArguments(command, tty: false), stderr: "\(workspace.scratch)/ssh-throughput.log")
        close(child.stdin)
        defer {
            close(child.stdout)
            child.kill()
            child.wait()
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var received = try child.read(into: &buffer)
        let start = monotonicSeconds()
        guard received > 0 else { throw BenchError("ssh printed nothing (see \(workspace.scratch)/ssh-throughput.log)") }
        while true {
            let count = try child.read(into: &buffer)
            if count == 0 { break }
            received += count
        }
        let seconds = monotonicSeconds() - start
        guard received == bytes else { throw BenchError("ssh carried \(received) of \(bytes) bytes") }
        return Run(seconds: seconds, peakRSS: 0)
    }
}
