import CubicleModel
import Foundation
import SSHClient
import Synchronization

/// What a finished exec answers.
struct ExecResult: Encodable, Sendable {
    struct Truncated: Encodable, Sendable {
        var stdout: Bool
        var stderr: Bool
    }

    var stdout: String
    var stderr: String
    var exitCode: Int32?
    var signal: String?
    var timedOut: Bool
    var truncated: Truncated
    var durationMs: Int
    var encoding: String
}

/// Runs one command over the workspace's pooled SSH session under the exec wrapper: stdin fed then
/// closed, each stream kept up to `maxOutput` bytes and the rest read and dropped (never buffered),
/// and past the timeout the command's whole process group gets SIGTERM, then SIGKILL.
struct ExecRunner: Sendable {
    let session: SSHSession
    let wrapper: String
    let settings: ExecSettings
    let time: any TimeSource

    /// Runs `request` in `workspace` over its pooled session: the one entry point of the REST
    /// exec and CoCalc's `system.exec`.
    static func run(_ request: ExecRequest, in workspace: String, dependencies: APIDependencies) async throws -> ExecResult {
        guard let wrapper = dependencies.exec.wrapper else {
            throw APIError(.serviceUnavailable, .internalError, "exec is not configured on this server (workspace/exec-wrapper is missing)")
        }
        try request.checkLength(wrapper: wrapper)
        let connector = dependencies.connector
        let session = try await connector.session(for: try connector.endpoint(of: workspace))
        return try await ExecRunner(session: session, wrapper: wrapper, settings: dependencies.exec, time: dependencies.time).run(request)
    }

    func run(_ request: ExecRequest) async throws -> ExecResult {
        let id = UUID().uuidString.lowercased()
        let line = request.commandLine(wrapper: wrapper, id: id)
        let started = time.now
        let channel = try await session.exec(line)
        defer { channel.close() }
        let timedOut = TimeoutFlag()
        let collected: Collected
        do {
            collected = try await collect(channel, request: request, id: id, timedOut: timedOut)
        } catch is CancellationError {
            // The request went away (a shutdown past its grace): the command must not outlive it
            // with no limit, so its process group is ended as a timeout would end it.
            let runner = self
            Task.detached { try? await runner.kill(id: id) }
            throw CancellationError()
        }
        let killed = timedOut.isSet
        let exit = killed ? ((try? await channel.exitStatus()) ?? SSHExit(signal: "KILL")) : try await channel.exitStatus()
        let encode: ([UInt8]) -> String = request.base64 ? { Data($0).base64EncodedString() } : { String(decoding: $0, as: UTF8.self) }
        return ExecResult(
            stdout: encode(collected.stdout), stderr: encode(collected.stderr), exitCode: exit.code,
            signal: exit.signal ?? (killed ? Self.signalName(exit.code) : nil), timedOut: killed,
            truncated: .init(stdout: collected.stdoutDropped, stderr: collected.stderrDropped),
            durationMs: Int((time.now.timeIntervalSince(started) * 1000).rounded()), encoding: request.base64 ? "base64" : "utf8")
    }

    /// Feeds stdin, reads both streams and runs the timer that ends the command.
    private func collect(_ channel: SSHChannel, request: ExecRequest, id: String, timedOut: TimeoutFlag) async throws -> Collected {
        try await withThrowingTaskGroup(of: Collected?.self) { group in
            group.addTask {
                if !request.stdin.isEmpty { try? await channel.write(request.stdin) }
                channel.sendEOF()
                return nil
            }
            group.addTask { try await Self.collect(channel, keep: request.maxOutput) }
            group.addTask {
                try await time.sleep(seconds: request.timeout)
                timedOut.set()
                try await kill(id: id)
                // Something outside the group (a daemon it started) may still hold the streams
                // open: after one more grace period the answer does not wait for it.
                try await time.sleep(seconds: settings.killGrace)
                channel.close()
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return result }
            }
            throw APIError(.internalServerError, .internalError, "the command ended without a result")
        }
    }

    struct Collected: Sendable {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutDropped = false
        var stderrDropped = false
    }

    /// Reads both streams to their end, keeping at most `keep` bytes of each.
    static func collect(_ channel: SSHChannel, keep: Int) async throws -> Collected {
        var result = Collected()
        // A channel closed under it (a timed-out command) ends the output; the exit status says how.
        do {
            try await read(channel, keep: keep, into: &result)
        } catch is CancellationError {
            throw CancellationError()
        } catch {}
        return result
    }

    private static func read(_ channel: SSHChannel, keep: Int, into result: inout Collected) async throws {
        for try await chunk in channel.output {
            switch chunk.stream {
            case .stdout:
                let room = max(0, keep - result.stdout.count)
                result.stdout += chunk.bytes.prefix(room)
                if chunk.bytes.count > room { result.stdoutDropped = true }
            case .stderr:
                let room = max(0, keep - result.stderr.count)
                result.stderr += chunk.bytes.prefix(room)
                if chunk.bytes.count > room { result.stderrDropped = true }
            }
        }
    }

    /// SIGTERM to the command's process group, SIGKILL after the grace period (a second exec on
    /// the same session: the first one's channel is busy with the command). `kill -SIG -PGID`
    /// without `--`: dash's kill does not take `--` and would fall back to the leader alone.
    func kill(id: String) async throws {
        let script = "p=$(cat \"${TMPDIR:-/tmp}/cubicle-exec-$1.pid\" 2>/dev/null) && [ -n \"$p\" ] && { kill -\"$2\" \"-$p\" 2>/dev/null || kill -\"$2\" \"$p\"; }; true"
        for signal in ["TERM", "KILL"] {
            let line = ["sh", "-c", script, "sh", id, signal].map(ExecRequest.quote).joined(separator: " ")
            _ = try? await session.run(line, timeout: 10, maxOutputBytes: 4096)
            if signal == "TERM" { try await time.sleep(seconds: settings.killGrace) }
        }
    }

    /// `TERM` for 143, `KILL` for 137: how the wrapper reports a command ended by a signal.
    static func signalName(_ code: Int32?) -> String? {
        switch code {
        case 143?: "TERM"
        case 137?: "KILL"
        default: nil
        }
    }
}

/// Whether an exec's timeout fired (set by its timer task, read after the command ended).
private final class TimeoutFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
