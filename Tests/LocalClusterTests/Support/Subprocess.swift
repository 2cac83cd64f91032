import CubicleModel
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of a finished subprocess.
struct ProcessOutput: Sendable {
    let status: Int32
    let stdout: [UInt8]
    let stderr: [UInt8]

    var standardOutput: String { String(decoding: stdout, as: UTF8.self) }
    var standardError: String { String(decoding: stderr, as: UTF8.self) }
}

/// Why a test helper gave up.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A running subprocess, spawned with `posix_spawn` (clean signal mask, close-on-exec pipes) and
/// watched by a dedicated thread that reads its output and reaps it, so nothing blocks the
/// cooperative pool: complete output on exit, or stdout line by line while it runs.
final class Subprocess: Sendable {
    private struct State {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var pendingLine: [UInt8] = []
        var stdoutClosed = false
        var stderrClosed = false
        var status: Int32?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var lineWaiters: [(id: UInt64, predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String?, Never>)] = []
        var lines: [String] = []
        var nextID: UInt64 = 0

        var finished: Bool { stdoutClosed && stderrClosed && status != nil }
    }

    /// The shared state, in a class so the watcher thread can hold it.
    private final class Box: Sendable {
        let state = Mutex(State())
    }

    /// The process id.
    let pid: Int32
    private let box = Box()

    /// Serializes pipe creation and spawning, so no child is forked between `pipe()` and
    /// marking the pipe close-on-exec.
    private static let spawnLock = Mutex(())

    /// Starts `executable` with `arguments`; `input` becomes its stdin (through a temporary file).
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: [UInt8] = []) throws {
        var inputPath = "/dev/null"
        if !input.isEmpty {
            inputPath = NSTemporaryDirectory() + "subprocess-input-" + UUID().uuidString
            try Data(input).write(to: URL(fileURLWithPath: inputPath))
        }
        defer { if !input.isEmpty { try? FileManager.default.removeItem(atPath: inputPath) } }
        let environment = environment ?? ProcessInfo.processInfo.environment
        let spawned = try Self.spawnLock.withLock { _ in
            try Self.spawn(executable, arguments, environment: environment, inputPath: inputPath)
        }
        pid = spawned.pid
        let box = box
        let watcher = Thread { Self.watch(pid: spawned.pid, stdout: spawned.stdout, stderr: spawned.stderr, box: box) }
        watcher.name = "subprocess-\(spawned.pid)"
        watcher.start()
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], inputPath: String
    ) throws -> (pid: pid_t, stdout: Int32, stderr: Int32) {
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard pipe(&output) == 0 else { throw TestFailure("pipe failed: \(errno)") }
        guard pipe(&errors) == 0 else { throw TestFailure("pipe failed: \(errno)") }
        for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        defer {
            close(output[1])
            close(errors[1])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        // Threads of this process block signals; the child must start with a clean mask.
        let result = Program.withCleanSignals { posix_spawn(&pid, executable, &actions, $0, argv, envp) }
        guard result == 0 else {
            close(output[0])
            close(errors[0])
            throw TestFailure("cannot start \(executable): error \(result)")
        }
        return (pid, output[0], errors[0])
    }

    /// The watcher thread: reads both pipes to EOF, then reaps the child.
    private static func watch(pid: pid_t, stdout: Int32, stderr: Int32, box: Box) {
        var descriptors = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while descriptors.contains(where: { $0.fd >= 0 }) {
            if poll(&descriptors, 2, -1) < 0 && errno != EINTR { break }
            for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptors[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    receive(Array(buffer[0..<count]), isStdout: index == 0, box: box)
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(descriptors[index].fd)
                    descriptors[index].fd = -1
                    receive([], isStdout: index == 0, box: box)
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let waiters = box.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.status = code
            return takeWaitersIfFinished(&state)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// True until the process has exited.
    var isRunning: Bool { box.state.withLock { $0.status == nil } }

    /// Sends `signal` to the process while it runs.
    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for exit and all output; kills the process if `deadline` seconds pass first.
    func wait(deadline seconds: Double = 60) async -> ProcessOutput {
        let watchdog = Task { [self] in
            try? await Task.sleep(for: .seconds(seconds))
            if !Task.isCancelled { signal(SIGKILL) }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = box.state.withLock { state -> Bool in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        watchdog.cancel()
        return box.state.withLock { ProcessOutput(status: $0.status ?? -1, stdout: $0.stdout, stderr: $0.stderr) }
    }

    /// The first stdout line (seen so far or later) satisfying `predicate`, or nil when the
    /// process ends or `seconds` pass without one.
    func line(within seconds: Double = 30, where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        let id: UInt64 = box.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let box = box
        let timeout = Task {
            try? await Task.sleep(for: .seconds(seconds))
            guard !Task.isCancelled else { return }
            let waiter = box.state.withLock { state in
                state.lineWaiters.firstIndex { $0.id == id }.map { state.lineWaiters.remove(at: $0) }
            }
            waiter?.continuation.resume(returning: nil)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let immediate: String?? = box.state.withLock { state in
                if let match = state.lines.first(where: predicate) { return .some(match) }
                if state.stdoutClosed { return .some(nil) }
                state.lineWaiters.append((id, predicate, continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Every complete stdout line so far.
    var lines: [String] { box.state.withLock { $0.lines } }

    private static func receive(_ bytes: [UInt8], isStdout: Bool, box: Box) {
        var resumes: [(CheckedContinuation<String?, Never>, String?)] = []
        let waiters = box.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if isStdout {
                if bytes.isEmpty {
                    state.stdoutClosed = true
                    if !state.pendingLine.isEmpty {
                        state.lines.append(String(decoding: state.pendingLine, as: UTF8.self))
                        state.pendingLine = []
                    }
                } else {
                    state.stdout += bytes
                    for byte in bytes {
                        if byte == 0x0A {
                            state.lines.append(String(decoding: state.pendingLine, as: UTF8.self))
                            state.pendingLine = []
                        } else {
                            state.pendingLine.append(byte)
                        }
                    }
                }
                var remaining: [(id: UInt64, predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String?, Never>)] = []
                for waiter in state.lineWaiters {
                    if let match = state.lines.first(where: waiter.predicate) {
                        resumes.append((waiter.continuation, match))
                    } else if state.stdoutClosed {
                        resumes.append((waiter.continuation, nil))
                    } else {
                        remaining.append(waiter)
                    }
                }
                state.lineWaiters = remaining
            } else {
                if bytes.isEmpty { state.stderrClosed = true } else { state.stderr += bytes }
            }
            return takeWaitersIfFinished(&state)
        }
        for (continuation, line) in resumes { continuation.resume(returning: line) }
        for waiter in waiters { waiter.resume() }
    }

    private static func takeWaitersIfFinished(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard state.finished else { return [] }
        let waiters = state.waiters
        state.waiters = []
        return waiters
    }

    /// Runs a program to completion.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: [UInt8] = [],
        deadline: Double = 60
    ) async throws -> ProcessOutput {
        try await Subprocess(executable, arguments, environment: environment, input: input).wait(deadline: deadline)
    }
}
