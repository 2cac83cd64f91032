import CubicleModel

/// What a command run to completion produced.
public struct SSHCommandResult: Sendable, Hashable {
    /// Everything written to stdout.
    public let stdout: [UInt8]
    /// Everything written to stderr.
    public let stderr: [UInt8]
    /// How the command ended.
    public let exit: SSHExit

    /// The exit code, when the command exited normally.
    public var exitCode: Int32? { exit.code }
    /// Stdout decoded as UTF-8 (invalid sequences replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Stderr decoded as UTF-8 (invalid sequences replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

extension SSHSession {
    /// Runs `command` to completion, feeding `stdin` (then EOF) and collecting both streams.
    /// Throws `output_too_large` when a stream exceeds `maxOutputBytes` and `timed_out` after
    /// `timeout` seconds; either way the channel is closed.
    public func run(_ command: String, stdin: [UInt8]? = nil, timeout: Double = 60,
                    maxOutputBytes: Int = 16 * 1024 * 1024,
                    environment: [String: String] = [:]) async throws -> SSHCommandResult {
        let channel = try await exec(command, environment: environment)
        return try await Self.collect(channel, stdin: stdin, timeout: timeout, maxOutputBytes: maxOutputBytes,
                                      time: options.timeSource, what: "command '\(command)'")
    }

    static func collect(_ channel: SSHChannel, stdin: [UInt8]?, timeout: Double, maxOutputBytes: Int,
                        time: any TimeSource, what: String) async throws -> SSHCommandResult {
        defer { channel.close() }
        return try await withThrowingTaskGroup(of: SSHCommandResult?.self) { group in
            group.addTask {
                // A program may exit without reading its input; that is its answer, not an error.
                if let stdin, !stdin.isEmpty { try? await channel.write(stdin) }
                channel.sendEOF()
                return nil
            }
            group.addTask {
                var stdout: [UInt8] = []
                var stderr: [UInt8] = []
                for try await chunk in channel.output {
                    switch chunk.stream {
                    case .stdout:
                        guard stdout.count + chunk.bytes.count <= maxOutputBytes else {
                            throw SSHError.outputTooLarge("stdout", limit: maxOutputBytes)
                        }
                        stdout += chunk.bytes
                    case .stderr:
                        guard stderr.count + chunk.bytes.count <= maxOutputBytes else {
                            throw SSHError.outputTooLarge("stderr", limit: maxOutputBytes)
                        }
                        stderr += chunk.bytes
                    }
                }
                let exit = try await channel.exitStatus()
                return SSHCommandResult(stdout: stdout, stderr: stderr, exit: exit)
            }
            group.addTask {
                try await time.sleep(seconds: timeout)
                throw SSHError.timedOut(what, after: timeout)
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return result }
            }
            throw SSHError.channelClosed("the command ended without a result")
        }
    }
}
