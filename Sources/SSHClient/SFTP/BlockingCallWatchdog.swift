import Foundation
import Glibc
import Synchronization

/// Bounds how long a blocking libssh call on an SFTP worker may take. libssh 0.10 retries
/// SFTP reads forever while a frozen server keeps the TCP connection open, so a watchdog
/// thread shuts the socket down when an armed deadline passes; the blocked call then fails and
/// the worker discards the connection.
final class CallGuard: Sendable {
    private struct State {
        var fd: Int32
        var deadline: Double?
        var tripped = false
    }

    private let state: Mutex<State>

    init(fd: Int32) {
        state = Mutex(State(fd: fd))
        BlockingCallWatchdog.shared.register(self)
    }

    /// True once the watchdog has shut the socket down.
    var tripped: Bool { state.withLock { $0.tripped } }

    /// Runs `body` (blocking libssh calls) with a deadline `timeout` seconds away.
    func guarded<T>(timeout: Double, _ body: () throws(SSHError) -> T) throws(SSHError) -> T {
        state.withLock { $0.deadline = Monotonic.now() + timeout }
        BlockingCallWatchdog.shared.armed()
        defer { state.withLock { $0.deadline = nil } }
        return try body()
    }

    /// Stops guarding before the socket is closed, so a reused descriptor is never shut down.
    func invalidate() {
        state.withLock { state in
            state.fd = -1
            state.deadline = nil
        }
        BlockingCallWatchdog.shared.unregister(self)
    }

    /// Watchdog side: trips an expired deadline; returns true while still armed.
    fileprivate func check(now: Double) -> Bool {
        state.withLock { state in
            guard let deadline = state.deadline, state.fd >= 0 else { return false }
            if now >= deadline, !state.tripped {
                state.tripped = true
                Glibc.shutdown(state.fd, Int32(SHUT_RDWR))
            }
            return true
        }
    }
}

/// The one thread that checks every armed `CallGuard`; it sleeps while none is armed.
final class BlockingCallWatchdog: Sendable {
    static let shared = BlockingCallWatchdog()

    private struct Entry {
        weak var guardObject: CallGuard?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var started = false
        var sleeping = false
    }

    private static let period = 0.2
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    func register(_ callGuard: CallGuard) {
        let start: Bool = state.withLock { state in
            state.entries[ObjectIdentifier(callGuard)] = Entry(guardObject: callGuard)
            defer { state.started = true }
            return !state.started
        }
        if start {
            let thread = Thread { [self] in loop() }
            thread.name = "cubicle-sftp-watchdog"
            thread.start()
        }
    }

    func unregister(_ callGuard: CallGuard) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(callGuard)) }
    }

    /// Wakes the thread if it sleeps without a deadline to watch.
    func armed() {
        let signal: Bool = state.withLock { state in
            guard state.sleeping else { return false }
            state.sleeping = false
            return true
        }
        if signal { wake.signal() }
    }

    private func loop() {
        while true {
            let now = Monotonic.now()
            let anyArmed: Bool = state.withLock { state in
                var armed = false
                for (key, entry) in state.entries {
                    guard let callGuard = entry.guardObject else {
                        state.entries.removeValue(forKey: key)
                        continue
                    }
                    if callGuard.check(now: now) { armed = true }
                }
                state.sleeping = !armed
                return armed
            }
            if anyArmed {
                Thread.sleep(forTimeInterval: Self.period)
            } else {
                wake.wait()
            }
        }
    }
}
