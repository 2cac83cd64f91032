import CubicleModel
import Synchronization

/// One SSH session per key (a workspace name), shared by every shell and exec for that key.
/// A live session is reused; a dead one is replaced on next use; a changed target (new IP or
/// host key) gets a new session while the old one finishes its channels; sessions without
/// channels for `idleTimeout` are closed by `closeIdleSessions()` (which `run()` calls
/// periodically). Concurrent first uses of a key share one connect.
public final class SSHSessionPool: Sendable {
    /// Counters for observing the pool (and testing reuse).
    public struct Statistics: Sendable, Hashable {
        /// Connection attempts started.
        public var connects = 0
        /// Lookups answered with an existing live session.
        public var reuses = 0
        /// Sessions replaced because the key's target changed.
        public var replacements = 0
        /// Sessions closed for being idle.
        public var idleClosures = 0
    }

    private enum Entry {
        case connecting(target: SSHTarget, task: Task<SSHSession, any Error>, token: UInt64)
        case ready(target: SSHTarget, session: SSHSession)
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var statistics = Statistics()
        var nextToken: UInt64 = 0
        var isShutDown = false
    }

    /// The reactor sessions are created on.
    public let reactor: SSHReactor
    /// Options for every session the pool creates (its `timeSource` also drives idle closing).
    public let options: SSHSessionOptions
    /// Seconds a session may stay without channels before `closeIdleSessions` closes it.
    public let idleTimeout: Double
    private let state = Mutex(State())

    /// Creates an empty pool.
    public init(reactor: SSHReactor, options: SSHSessionOptions = SSHSessionOptions(), idleTimeout: Double = 300) {
        self.reactor = reactor
        self.options = options
        self.idleTimeout = idleTimeout
    }

    /// The pool's counters so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The live session for `key`, connecting (once, however many callers ask) when needed.
    public func session(for key: String, target: SSHTarget) async throws -> SSHSession {
        enum Plan {
            case use(SSHSession)
            case wait(Task<SSHSession, any Error>, token: UInt64)
            case fail(SSHError)
        }
        var retire: SSHSession?
        let plan: Plan = state.withLock { state in
            if state.isShutDown { return .fail(.shutDown("the SSH session pool")) }
            switch state.entries[key] {
            case .ready(let current, let session) where current == target && session.isUsable:
                state.statistics.reuses += 1
                return .use(session)
            case .connecting(let current, let task, let token) where current == target:
                return .wait(task, token: token)
            case .ready(let current, let session):
                if current != target {
                    state.statistics.replacements += 1
                    retire = session
                }
            case .connecting(_, let task, _):
                task.cancel()
                state.statistics.replacements += 1
            case nil:
                break
            }
            state.nextToken += 1
            let token = state.nextToken
            let reactor = self.reactor
            let options = self.options
            let task = Task { try await reactor.connect(to: target, options: options) }
            state.entries[key] = .connecting(target: target, task: task, token: token)
            state.statistics.connects += 1
            return .wait(task, token: token)
        }
        retire?.closeWhenIdle()
        switch plan {
        case .use(let session):
            return session
        case .fail(let error):
            throw error
        case .wait(let task, let token):
            do {
                let session = try await task.value
                let keep: Bool = state.withLock { state in
                    guard case .connecting(let current, _, let pending) = state.entries[key], pending == token else {
                        return !state.isShutDown
                    }
                    state.entries[key] = .ready(target: current, session: session)
                    return true
                }
                if !keep {
                    session.close()
                    throw SSHError.shutDown("the SSH session pool")
                }
                return session
            } catch {
                state.withLock { state in
                    if case .connecting(_, _, let pending) = state.entries[key], pending == token {
                        state.entries[key] = nil
                    }
                }
                throw error
            }
        }
    }

    /// Opens a shell on the key's session, reconnecting once if the pooled session had died.
    public func openShell(key: String, target: SSHTarget, pty: PTYRequest? = PTYRequest(),
                          environment: [String: String] = [:]) async throws -> SSHChannel {
        try await withSession(key: key, target: target) { try await $0.openShell(pty: pty, environment: environment) }
    }

    /// Starts `command` on the key's session, reconnecting once if the pooled session had died.
    public func exec(key: String, target: SSHTarget, command: String, pty: PTYRequest? = nil,
                     environment: [String: String] = [:]) async throws -> SSHChannel {
        try await withSession(key: key, target: target) {
            try await $0.exec(command, pty: pty, environment: environment)
        }
    }

    /// Runs `command` to completion on the key's session (see `SSHSession.run`).
    public func run(key: String, target: SSHTarget, command: String, stdin: [UInt8]? = nil, timeout: Double = 60,
                    maxOutputBytes: Int = 16 * 1024 * 1024,
                    environment: [String: String] = [:]) async throws -> SSHCommandResult {
        let channel = try await exec(key: key, target: target, command: command, environment: environment)
        return try await SSHSession.collect(channel, stdin: stdin, timeout: timeout, maxOutputBytes: maxOutputBytes,
                                            time: options.timeSource, what: "command '\(command)'")
    }

    /// Closes sessions that have had no channel for `idleTimeout` and forgets dead ones;
    /// returns how many idle sessions it closed.
    @discardableResult
    public func closeIdleSessions() -> Int {
        let cutoff = options.timeSource.now.addingTimeInterval(-idleTimeout)
        let idle: [SSHSession] = state.withLock { state in
            var idle: [SSHSession] = []
            for (key, entry) in state.entries {
                guard case .ready(_, let session) = entry else { continue }
                if session.failure != nil {
                    state.entries[key] = nil
                } else if session.shared.beginCloseIfIdle(since: cutoff) {
                    state.entries[key] = nil
                    idle.append(session)
                }
            }
            state.statistics.idleClosures += idle.count
            return idle
        }
        for session in idle { session.close() }
        return idle.count
    }

    /// Closes idle sessions every quarter of `idleTimeout` until cancelled or shut down.
    public func run() async throws {
        let period = max(0.05, idleTimeout / 4)
        while !state.withLock({ $0.isShutDown }) {
            try await options.timeSource.sleep(seconds: period)
            closeIdleSessions()
        }
    }

    /// Closes the key's session now (e.g. the workspace was stopped).
    public func remove(key: String) {
        let entry = state.withLock { $0.entries.removeValue(forKey: key) }
        switch entry {
        case .ready(_, let session): session.close()
        case .connecting(_, let task, _): task.cancel()
        case nil: break
        }
    }

    /// Closes every session and refuses further use.
    public func shutdown() async {
        let entries: [Entry] = state.withLock { state in
            state.isShutDown = true
            let entries = Array(state.entries.values)
            state.entries = [:]
            return entries
        }
        for entry in entries {
            switch entry {
            case .ready(_, let session):
                session.close()
            case .connecting(_, let task, _):
                task.cancel()
                if let session = try? await task.value { session.close() }
            }
        }
    }

    private func withSession<T>(key: String, target: SSHTarget,
                                _ body: (SSHSession) async throws -> T) async throws -> T {
        let session = try await session(for: key, target: target)
        do {
            return try await body(session)
        } catch let error as SSHError where error.reason == .sessionDied || error.reason == .sessionClosed {
            // The session ended between lookup and use; nothing ran yet, so one retry is safe.
            forget(key: key, session: session)
            return try await body(self.session(for: key, target: target))
        }
    }

    private func forget(key: String, session: SSHSession) {
        state.withLock { state in
            if case .ready(_, let current) = state.entries[key], current === session {
                state.entries[key] = nil
            }
        }
    }
}
