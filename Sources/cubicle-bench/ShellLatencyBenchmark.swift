import App
import ArgumentParser
import Foundation

/// `cubicle-bench shell-latency`: keystroke echo round trips through Cubicle's WebSocket
/// (TTY) and through `ssh -tt` straight to the same workspace sshd, both running `cat` on a
/// raw terminal; one byte out, wait for its echo, next byte.
struct ShellLatencyBenchmark: Scenario {
    static let configuration = CommandConfiguration(
        commandName: "shell-latency",
        abstract: "Keystroke echo round trip (p50/p99) through the WebSocket vs ssh -tt to the same sshd.",
        discussion: """
            Both sides run `sh -c 'stty raw -echo isig && printf READY && exec cat'` on a PTY of the same \
            workspace sshd (process kubelet). Each run sends --keystrokes single bytes, one at a time, \
            timing each from the write to the arrival of its echo; runs alternate Cubicle, ssh, Cubicle, \
            ssh…; the reported value is the median of the per-run percentiles. The ssh side is an \
            `ssh -tt` child whose stdin and stdout are pipes written and read by a dedicated thread; the \
            Cubicle side is its counterpart, a WebSocket on a blocking socket driven by a dedicated \
            thread (echo-p50/p99). The same keystrokes through the async WebSocket client of \
            swift-websocket are reported as echo-p50/p99-async-client: that figure adds the client's own \
            event-loop and task hops to the round trip.

            """
    )

    @Option(help: "Keystrokes per run (at least 1000 for the published figure).")
    var keystrokes = 1000

    @Option(help: "Runs per side, interleaved.")
    var runs = 3

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard keystrokes > 0, runs > 0 else { throw ValidationError("--keystrokes and --runs must be positive") }
    }

    func measure(into report: MeasureReport) async throws {
        signal(SIGPIPE, SIG_IGN)
        let keystrokes = self.keystrokes
        let runs = self.runs
        try await withBenchWorkspace(options) { workspace in
            let results = try await interleaved(
                runs: runs,
                cubicle: {
                    let blocking = try await Offload.run { try Self.cubicleBlocking(workspace, keystrokes: keystrokes) }
                    return (blocking, try await Self.cubicle(workspace, keystrokes: keystrokes))
                },
                reference: {
                    let samples = try await Offload.run { try Self.ssh(workspace, keystrokes: keystrokes) }
                    return (samples, samples)
                })
            for (metric, fraction) in [("echo-p50", 0.5), ("echo-p99", 0.99)] {
                report.add(Measure(
                    scenario: "shell-latency", metric: metric, cubicle: median(results.cubicle.map { percentile($0.0, fraction) }),
                    reference: median(results.reference.map { percentile($0.0, fraction) }), unit: "ms", n: keystrokes))
            }
            for (metric, fraction) in [("echo-p50-async-client", 0.5), ("echo-p99-async-client", 0.99)] {
                report.add(Measure(
                    scenario: "shell-latency", metric: metric, cubicle: median(results.cubicle.map { percentile($0.1, fraction) }),
                    reference: median(results.reference.map { percentile($0.1, fraction) }), unit: "ms", n: keystrokes))
            }
        }
    }

    /// One Cubicle run through a blocking socket on the calling thread: echo round trips in ms.
    static func cubicleBlocking(_ workspace: BenchWorkspace, keystrokes: Int) throws -> [Double] {
        let socket = try BlockingExecSocket.connect(url: workspace.interactiveURL(command: ShellPrograms.echo, tty: true), token: workspace.token)
        try socket.waitFor(ShellPrograms.ready)
        var samples: [Double] = []
        samples.reserveCapacity(keystrokes)
        var echoed = 0
        for index in 0..<keystrokes {
            let start = monotonicSeconds()
            try socket.stdin([ShellPrograms.keystroke(index)])
            while echoed <= index {
                guard let frame = try socket.next() else { throw BenchError("the shell closed after \(index) keystrokes") }
                switch frame {
                case .stdout(let bytes): echoed += bytes.count
                case .status(let status): throw BenchError("cat ended: \(String(decoding: status, as: UTF8.self))")
                default: continue
                }
            }
            samples.append((monotonicSeconds() - start) * 1000)
        }
        try socket.stdin([ShellPrograms.interrupt])
        while let frame = try socket.next() {
            if case .status = frame { break }
        }
        return samples
    }

    /// One Cubicle run through the async client: echo round trips in milliseconds.
    static func cubicle(_ workspace: BenchWorkspace, keystrokes: Int) async throws -> [Double] {
        let url = workspace.interactiveURL(command: ShellPrograms.echo, tty: true)
        return try await ExecSocket.run(url: url, token: workspace.token) { socket in
            try await socket.waitFor(ShellPrograms.ready)
            var samples: [Double] = []
            samples.reserveCapacity(keystrokes)
            var echoed = 0
            for index in 0..<keystrokes {
                let start = monotonicSeconds()
                try await socket.sender.stdin([ShellPrograms.keystroke(index)])
                while echoed <= index {
                    guard let frame = try await socket.next() else { throw BenchError("the shell closed after \(index) keystrokes") }
                    switch frame {
                    case .stdout(let bytes): echoed += bytes.count
                    case .status(let status): throw BenchError("cat ended: \(String(decoding: status, as: UTF8.self))")
                    default: continue
                    }
                }
                samples.append((monotonicSeconds() - start) * 1000)
            }
            try await socket.sender.stdin([ShellPrograms.interrupt])
            while let frame = try await socket.next() {
                if case .status = frame { break }
            }
            return samples
        }
    }

    /// One OpenSSH run on the calling thread: echo round trips in milliseconds.
    static func ssh(_ workspace: BenchWorkspace, keystrokes: Int) throws -> [Double] {
        let child = try Child.spawn(
            "/usr/bin/ssh", workspace.sshArguments(ShellPrograms.commandLine(ShellPrograms.echo), tty: true),
            stderr: "\(workspace.scratch)/ssh-latency.log")
        defer {
            child.kill()
            child.closePipes()
            child.wait()
        }
        try child.waitFor(ShellPrograms.ready)
        var samples: [Double] = []
        samples.reserveCapacity(keystrokes)
        var buffer = [UInt8](repeating: 0, count: 256)
        var echoed = 0
        for index in 0..<keystrokes {
            let start = monotonicSeconds()
            try child.write([ShellPrograms.keystroke(index)])
            while echoed <= index {
                let count = try child.read(into: &buffer)
                guard count > 0 else { throw BenchError("ssh ended after \(index) keystrokes") }
                echoed += count
            }
            samples.append((monotonicSeconds() - start) * 1000)
        }
        try child.write([ShellPrograms.interrupt])
        while try child.read(into: &buffer) > 0 {}
        return samples
    }
}
