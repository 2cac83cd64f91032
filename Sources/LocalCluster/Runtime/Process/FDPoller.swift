#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Synchronization

/// One thread that `poll`s every registered descriptor — pidfds of children (readable when the
/// child exits) and pipes the runtime reads from — and calls the registration's handler on that
/// thread when the descriptor becomes ready.
///
/// Why pidfds and one poll thread rather than a `waitpid(-1)` reaper: a reaper that waits for any
/// child would steal the exit statuses of children that other code in the process spawns
/// (Foundation's `Process`, test helpers); a pidfd lets us wait for exactly our own children, all
/// of them on one thread, and reap each with `waitpid(pid, WNOHANG)` only once it has exited.
final class FDPoller: Sendable {
    /// What a handler tells the poller after it ran.
    enum Disposition: Sendable {
        /// Keep watching the descriptor.
        case keep
        /// Stop watching; the poller closes the descriptor if it owns it.
        case done
    }

    /// The process-wide poller.
    static let shared = FDPoller()

    private struct Registration {
        let fd: Int32
        let closeWhenDone: Bool
        let handler: @Sendable () -> Disposition
    }

    private struct State {
        var nextID: UInt64 = 0
        var registrations: [UInt64: Registration] = [:]
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        let fds = LinuxCalls.pipeCloexec() ?? (-1, -1)
        wakeRead = fds.read
        wakeWrite = fds.write
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        let thread = Thread { [self] in loop() }
        thread.name = "cubicle-runtime-poller"
        thread.start()
    }

    /// Watches `fd` for readability (or hang-up); `handler` runs on the poller thread each time.
    func watch(fd: Int32, closeWhenDone: Bool, handler: @escaping @Sendable () -> Disposition) {
        state.withLock { state in
            state.nextID += 1
            state.registrations[state.nextID] = Registration(fd: fd, closeWhenDone: closeWhenDone, handler: handler)
        }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func loop() {
        while true {
            let snapshot = state.withLock { state in state.registrations.map { ($0.key, $0.value.fd) } }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += snapshot.map { pollfd(fd: $0.1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 { continue }  // EINTR
            if fds[0].revents != 0 { drainWake() }
            for (index, entry) in snapshot.enumerated() where fds[index + 1].revents != 0 {
                let registration = state.withLock { $0.registrations[entry.0] }
                guard let registration else { continue }
                if case .done = registration.handler() {
                    state.withLock { _ = $0.registrations.removeValue(forKey: entry.0) }
                    if registration.closeWhenDone { close(registration.fd) }
                }
            }
        }
    }
}
