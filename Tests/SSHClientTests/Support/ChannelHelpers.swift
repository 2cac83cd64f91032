import Foundation
import SSHClient

/// Runs `body` with a fresh reactor and shuts it down afterwards.
func withReactor<T>(threads: Int = 2, _ body: (SSHReactor) async throws -> T) async throws -> T {
    let reactor = SSHReactor(threadCount: threads)
    do {
        let result = try await body(reactor)
        await reactor.shutdown()
        return result
    } catch {
        await reactor.shutdown()
        throw error
    }
}

/// Reads a channel to its end and returns both streams as text.
func readAll(_ channel: SSHChannel) async throws -> (stdout: String, stderr: String) {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    for try await chunk in channel.output {
        if chunk.stream == .stdout { stdout += chunk.bytes } else { stderr += chunk.bytes }
    }
    return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Accumulates a PTY's output and waits for text to appear in it. A wait that runs past its
/// deadline closes the channel, which ends the output and fails the wait with what was seen.
final class TerminalReader {
    private let channel: SSHChannel
    private var iterator: SSHChannelOutput.Iterator
    private(set) var text = ""

    init(_ channel: SSHChannel) {
        self.channel = channel
        iterator = channel.output.makeAsyncIterator()
    }

    /// Reads until the output since the last match contains `needle`; returns that output.
    @discardableResult
    func read(until needle: String, timeout: Double = 15) async throws -> String {
        let channel = self.channel
        let timer = Task {
            try await Task.sleep(for: .seconds(timeout))
            channel.close()
        }
        defer { timer.cancel() }
        while !text.contains(needle) {
            guard let next = try await iterator.next() else {
                throw FixtureError("no '\(needle)' in terminal output within \(timeout) s:\n\(text)")
            }
            text += String(decoding: next.bytes, as: UTF8.self)
        }
        guard let range = text.range(of: needle) else { return text }
        let matched = String(text[..<range.upperBound])
        text = String(text[range.upperBound...])
        return matched
    }
}
