import CLibSSH
import Foundation
import Glibc
import Synchronization

/// Work for a reactor thread; runs on that thread with its loop.
typealias ReactorCommand = @Sendable (ReactorLoop) -> Void

/// A reactor thread's mailbox and wake-up eventfd. Any thread may post; only the reactor
/// thread runs what was posted, so every libssh call stays on the session's owner thread.
final class ReactorThread: Sendable {
    private struct Mailbox {
        var commands: [ReactorCommand] = []
        var wakePending = false
        var started = false
        var stopped = false
        var sessions = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var exited = false
    }

    let index: Int
    /// The eventfd the loop polls next to the sessions' sockets.
    let wakeFD: Int32
    private let mailbox = Mutex(Mailbox())

    init(index: Int) {
        self.index = index
        self.wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
    }

    deinit {
        if wakeFD >= 0 { close(wakeFD) }
    }

    /// Sessions currently owned (for placing new ones on the least busy thread).
    var sessionCount: Int { mailbox.withLock { $0.sessions } }

    /// Starts the thread on first use.
    func startIfNeeded() {
        let start = mailbox.withLock { mailbox -> Bool in
            if mailbox.started || mailbox.stopped { return false }
            mailbox.started = true
            return true
        }
        guard start else { return }
        let thread = Thread { [self] in
            let loop = ReactorLoop(thread: self)
            loop.run()
        }
        thread.name = "cubicle-ssh-reactor-\(index)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues `command` and wakes the loop; false when the thread has stopped (the caller must
    /// then fail whatever waits on the command).
    @discardableResult
    func post(_ command: @escaping ReactorCommand) -> Bool {
        let wake: Bool? = mailbox.withLock { mailbox in
            if mailbox.stopped { return nil }
            mailbox.commands.append(command)
            if mailbox.wakePending { return false }
            mailbox.wakePending = true
            return true
        }
        guard let wake else { return false }
        if wake { signal() }
        return true
    }

    /// Loop side: takes everything posted so far.
    func takeCommands() -> [ReactorCommand] {
        mailbox.withLock { mailbox in
            mailbox.wakePending = false
            let commands = mailbox.commands
            mailbox.commands = []
            return commands
        }
    }

    func adjustSessionCount(by delta: Int) {
        mailbox.withLock { $0.sessions += delta }
    }

    /// Asks the loop to close everything and exit; returns once it has.
    func stop() async {
        let needsWait: Bool = mailbox.withLock { mailbox in
            if !mailbox.started {
                mailbox.stopped = true
                return false
            }
            return !mailbox.exited
        }
        guard needsWait else { return }
        post { loop in loop.requestStop() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = mailbox.withLock { mailbox in
                if mailbox.exited { return true }
                mailbox.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Loop side: refuses new commands and returns those still queued.
    func closeMailbox() -> [ReactorCommand] {
        mailbox.withLock { mailbox in
            mailbox.stopped = true
            let commands = mailbox.commands
            mailbox.commands = []
            return commands
        }
    }

    /// Loop side: the thread is about to exit.
    func markExited() {
        let waiters: [CheckedContinuation<Void, Never>] = mailbox.withLock { mailbox in
            mailbox.exited = true
            let waiters = mailbox.stopWaiters
            mailbox.stopWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, 8) }
    }
}
