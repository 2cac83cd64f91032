import CubicleModel
import Synchronization

/// SSH sessions per key (a workspace name), shared by every shell and exec for that key.
/// Channels go to the first live session with a free channel slot (`options.maxChannels`); when
/// every session's slots are busy the pool opens another connection to the same target, up to
/// `maxSessionsPerKey`, and only beyond that do channels queue for a slot. A dead session is
/// replaced on next use; a changed target (new IP or host key) gets new sessions while the old
/// ones finish their channels; sessions without channels for `idleTimeout` are closed by
/// `closeIdleSessions()` (which `run()` calls periodically). Concurrent uses that need a new
/// connection share one connect.
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

    /// One key's sessions and the connect in flight, if any.
    private struct Group {
        var target: SSHTarget
        var sessions: [SSHSession] = []
        var connecting: (task: Task<SSHSession, any Error>, token: UInt64)?
    }

    private struct State {
        var groups: [String: Group] = [:]
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
    /// The most connections the pool keeps to one key at once.
    public let maxSessionsPerKey: Int
    private let state = Mutex(State())

    /// Creates an empty pool.
    public init(reactor: SSHReactor, options: SSHSessionOptions = SSHSessionOptions(), idleTimeout: Double = 300,
                maxSessionsPerKey: Int = 8) {
        self.reactor = reactor
        self.options = options
        self.idleTimeout = idleTimeout
        self.maxSessionsPerKey = max(1, maxSessionsPerKey)
    }

    /// The pool's counters so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Live sessions the pool holds for `key` now.
    public func sessionCount(for key: String) -> Int {
        state.withLock { $0.groups[key]?.sessions.count { $0.isUsable } ?? 0 }
    }

    /// A live session for `key` (the first one), connecting (once, however many callers ask) when needed.
    public func session(for key: String, target: SSHTarget) async throws -> SSHSession {
        try await acquire(key: key, target: target, reserving: false)
    }

    private enum Plan {
        case use(SSHSession)
        case wait(Task<SSHSession, any Error>, token: UInt64)
        case fail(SSHError)
    }

    /// A session for `key`; with `reserving`, one whose channel count was raised for the
    /// caller's channel, preferring a session with a free slot and connecting another one while
    /// all are full and the key has fewer than `maxSessionsPerKey`.
    private func acquire(key: String, target: SSHTarget, reserving: Bool) async throws -> SSHSession {
        // A caller that waited for a connect does not count as a reuse when it then takes a slot.
        var waited = false
        while true {
            var retire: [SSHSession] = []
            let plan: Plan = state.withLock { state in
                if state.isShutDown { return .fail(.shutDown("the SSH session pool")) }
                var group = state.groups[key] ?? Group(target: target)
                if group.target != target {
                    retire = group.sessions
                    group.connecting?.task.cancel()
                    if !group.sessions.isEmpty || group.connecting != nil { state.statistics.replacements += 1 }
                    group = Group(target: target)
                }
                group.sessions.removeAll { $0.failure != nil }
                defer { state.groups[key] = group }
                let live = group.sessions.filter(\.isUsable)
                if !reserving, let first = live.first {
                    if !waited { state.statistics.reuses += 1 }
                    return .use(first)
                }
                for session in live where session.shared.reserveChannel(below: max(1, options.maxChannels)) {
                    if !waited { state.statistics.reuses += 1 }
                    return .use(session)
                }
                if let connecting = group.connecting { return .wait(connecting.task, token: connecting.token) }
                if live.count >= maxSessionsPerKey,
                   let least = live.min(by: { $0.channelCount < $1.channelCount }),
                   least.shared.reserveChannel(below: .max) {
                    // Every connection is at its cap: queue for a slot on the least busy one.
                    if !waited { state.statistics.reuses += 1 }
                    return .use(least)
                }
                state.nextToken += 1
                let token = state.nextToken
                let reactor = self.reactor
                let options = self.options
                let task = Task { try await reactor.connect(to: target, options: options) }
                group.connecting = (task, token)
                state.statistics.connects += 1
                return .wait(task, token: token)
            }
            for session in retire { session.closeWhenIdle() }
            switch plan {
            case .use(let session):
                return session
            case .fail(let error):
                throw error
            case .wait(let task, let token):
                let result = await task.result
                let keep: Bool = state.withLock { state in
                    guard var group = state.groups[key], let connecting = group.connecting, connecting.token == token else {
                        return false
                    }
                    group.connecting = nil
                    if case .success(let session) = result { group.sessions.append(session) }
                    state.groups[key] = group
                    return !state.isShutDown
                }
                switch result {
                case .failure(let error):
                    throw error
                case .success(let session):
                    if !keep && state.withLock({ $0.isShutDown }) {
                        session.close()
                        throw SSHError.shutDown("the SSH session pool")
                    }
                }
                // Loop: claim a slot on the new session (or whichever session has one now).
                waited = true
            }
        }
    }

    /// Opens a shell on a key's session with a free slot, reconnecting once if that session had died.
    public func openShell(key: String, target: SSHTarget, pty: PTYRequest? = PTYRequest(),
                          environment: [String: String] = [:]) async throws -> SSHChannel {
        try await withReservedSession(key: key, target: target) {
            try await $0.openShell(pty: pty, environment: environment, reserved: true)
        }
    }

    /// Starts `command` on a key's session with a free slot, reconnecting once if that session had died.
    public func exec(key: String, target: SSHTarget, command: String, pty: PTYRequest? = nil,
                     environment: [String: String] = [:]) async throws -> SSHChannel {
        try await withReservedSession(key: key, target: target) {
            try await $0.exec(command, pty: pty, environment: environment, reserved: true)
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
            for (key, var group) in state.groups {
                group.sessions.removeAll { session in
                    if session.failure != nil { return true }
                    if session.shared.beginCloseIfIdle(since: cutoff) {
                        idle.append(session)
                        return true
                    }
                    return false
                }
                state.groups[key] = group.sessions.isEmpty && group.connecting == nil ? nil : group
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

    /// Closes the key's sessions now (e.g. the workspace was stopped).
    public func remove(key: String) {
        let group = state.withLock { $0.groups.removeValue(forKey: key) }
        group?.connecting?.task.cancel()
        for session in group?.sessions ?? [] { session.close() }
    }

    /// Closes every session and refuses further use.
    public func shutdown() async {
        let groups: [Group] = state.withLock { state in
            state.isShutDown = true
            let groups = Array(state.groups.values)
            state.groups = [:]
            return groups
        }
        for group in groups {
            for session in group.sessions { session.close() }
            if let connecting = group.connecting {
                connecting.task.cancel()
                if let session = try? await connecting.task.value { session.close() }
            }
        }
    }

    private func withReservedSession<T>(key: String, target: SSHTarget,
                                        _ body: (SSHSession) async throws -> T) async throws -> T {
        let session = try await acquire(key: key, target: target, reserving: true)
        do {
            return try await body(session)
        } catch let error as SSHError where error.reason == .sessionDied || error.reason == .sessionClosed {
            // The session ended between lookup and use; nothing ran yet, so one retry is safe.
            forget(key: key, session: session)
            return try await body(acquire(key: key, target: target, reserving: true))
        }
    }

    private func forget(key: String, session: SSHSession) {
        state.withLock { state in
            state.groups[key]?.sessions.removeAll { $0 === session }
        }
    }
}
