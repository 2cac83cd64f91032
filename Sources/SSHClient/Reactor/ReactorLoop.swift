import CLibSSH
import Glibc

/// The event loop of one reactor thread: polls the `ssh_event` holding its sessions' sockets
/// and its wake-up eventfd, runs posted commands, services sessions that have work, and fires
/// connect deadlines and keepalives. Lives and dies on its thread.
final class ReactorLoop {
    let thread: ReactorThread
    let event: ssh_event
    private(set) var sessions: [UInt64: ReactorSession] = [:]
    private var dirty: Set<UInt64> = []
    private var running = true
    private var nextTimer = Double.infinity
    private var healthCheckDue = false
    private var lastHealthCheck = 0.0
    /// Reused read buffer for output libssh kept back (see `ReactorChannel.resumeOutput`);
    /// kept for the thread's life so megabyte reads do not churn the allocator.
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Minimum spacing of health checks while sockets are busy (bounds their cost per poll).
    private static let healthCheckSpacing = 0.05

    init(thread: ReactorThread) {
        LibSSH.ensureInitialized()
        self.thread = thread
        guard let event = ssh_event_new() else {
            fatalError("libssh could not allocate an event loop (out of memory)")
        }
        self.event = event
    }

    /// Runs until `requestStop`, then closes every session and refuses further commands.
    func run() {
        _ = ssh_event_add_fd(event, thread.wakeFD, Int16(POLLIN), wakeCallback, nil)
        while running {
            if ssh_event_dopoll(event, pollTimeoutMilliseconds()) != SSH_AGAIN { healthCheckDue = true }
            for command in thread.takeCommands() { command(self) }
            serviceSessions()
            fireTimers()
            checkHealthIfDue()
        }
        for command in thread.closeMailbox() { command(self) }
        for session in Array(sessions.values) { session.close(.shutDown("the SSH reactor")) }
        _ = ssh_event_remove_fd(event, thread.wakeFD)
        ssh_event_free(event)
        scratch.deallocate()
        thread.markExited()
    }

    /// The loop's read buffer, at least `capacity` bytes (valid until the next call).
    func scratchBuffer(capacity: Int) -> UnsafeMutableRawBufferPointer {
        if scratch.count < capacity {
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 4 << 20), alignment: 16)
        }
        return scratch
    }

    /// Ends `run` after the current iteration.
    func requestStop() { running = false }

    /// False once the loop is shutting down; commands must then fail instead of starting work.
    var isRunning: Bool { running }

    // MARK: Sessions

    func add(_ session: ReactorSession) {
        sessions[session.id] = session
        thread.adjustSessionCount(by: 1)
    }

    func session(_ id: UInt64) -> ReactorSession? { sessions[id] }

    /// Called by a session when it has torn itself down.
    func sessionEnded(_ id: UInt64) {
        if sessions.removeValue(forKey: id) != nil { thread.adjustSessionCount(by: -1) }
        dirty.remove(id)
    }

    /// Services `sessionID` after the current poll.
    func markDirty(_ sessionID: UInt64) { dirty.insert(sessionID) }

    /// Makes sure timers are checked no later than `deadline`.
    func schedule(at deadline: Double) { nextTimer = min(nextTimer, deadline) }

    // MARK: Loop steps

    private func pollTimeoutMilliseconds() -> Int32 {
        if !dirty.isEmpty { return 0 }
        let now = Monotonic.now()
        var wait = nextTimer - now
        if healthCheckDue { wait = min(wait, lastHealthCheck + Self.healthCheckSpacing - now) }
        if wait <= 0 { return 0 }
        if wait > 60 { return 60_000 }
        return Int32((wait * 1000).rounded(.up))
    }

    private func serviceSessions() {
        var work = dirty
        dirty = []
        for (id, session) in sessions where session.wantsServiceEveryPoll { work.insert(id) }
        for id in work { sessions[id]?.service() }
    }

    private func fireTimers() {
        let now = Monotonic.now()
        guard now >= nextTimer else { return }
        nextTimer = .infinity
        for session in Array(sessions.values) {
            if let next = session.checkTimers(now: now) { nextTimer = min(nextTimer, next) }
        }
    }

    private func checkHealthIfDue() {
        let now = Monotonic.now()
        guard healthCheckDue, now - lastHealthCheck >= Self.healthCheckSpacing else { return }
        healthCheckDue = false
        lastHealthCheck = now
        for session in Array(sessions.values) { session.checkHealth() }
    }
}

@available(*, unavailable)
extension ReactorLoop: Sendable {}

/// Drains the wake-up eventfd; the posted commands run after the poll returns.
private let wakeCallback: ssh_event_callback = { fd, _, _ in
    var value: UInt64 = 0
    _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
    return 0
}
