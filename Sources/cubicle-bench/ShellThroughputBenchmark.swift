import App
import ArgumentParser
import Foundation

/// `cubicle-bench shell-throughput`: bulk program output through Cubicle's WebSocket (no TTY)
/// and through `ssh host 'command'` straight to the same sshd; MB/s and the server's peak RSS.
struct ShellThroughputBenchmark: Scenario {
    static let configuration = CommandConfiguration(
        commandName: "shell-throughput",
        abstract: "Bulk output (head -c N /dev/zero) through the WebSocket vs ssh to the same sshd.",
        discussion: """
            Both sides run `head -c <size MiB> /dev/zero` without a TTY on the same workspace sshd. The \
            Cubicle side counts stdout bytes of the WebSocket until the status frame; the ssh side reads \
            the child's stdout to end of file on a dedicated thread. Each side is timed from its first \
            output byte to its last (so connection setup is excluded on both). Runs alternate Cubicle, \
            ssh, …; the figure is the median. The Cubicle side's WebSocket reader runs as a child \
            process (`shell-output-client`), so peak RSS — this process's VmHWM, reset before each \
            Cubicle run — is the in-process server's alone.
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

    func measure(into report: MeasureReport) async throws {
        signal(SIGPIPE, SIG_IGN)
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
    }

    /// One Cubicle run: the WebSocket reader runs as a child process (`shell-output-client`), so
    /// the peak RSS read here afterwards is the server's alone.
    static func cubicle(_ workspace: BenchWorkspace, bytes: Int) async throws -> Run {
        let url = workspace.interactiveURL(command: ShellPrograms.output(bytes: bytes), tty: false)
        let log = "\(workspace.scratch)/output-client.log"
        let token = workspace.token
        return try await Offload.run {
            ProcessStats.resetPeakRSS()
            let child = try Child.spawn("/proc/self/exe", ["shell-output-client", "--url", url, "--token", token], stderr: log)
            close(child.stdin)
            defer {
                close(child.stdout)
                child.kill()
                child.wait()
            }
            var lines = LineReader(child: child)
            guard let line = lines.next(),
                  let outcome = try? JSONDecoder().decode(ShellOutputClient.Outcome.self, from: Data(line.utf8)) else {
                throw BenchError("the WebSocket reader failed: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(600) ?? "")")
            }
            guard outcome.bytes == bytes, outcome.success else {
                throw BenchError("the WebSocket carried \(outcome.bytes) of \(bytes) bytes (success: \(outcome.success))")
            }
            return Run(seconds: outcome.seconds, peakRSS: ProcessStats.peakRSS())
        }
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
