import DequeModule
import Foundation
import Synchronization

/// Work for an SFTP worker; runs on the worker's thread with its context.
typealias SFTPJob = @Sendable (SFTPWorkerContext) -> Void

/// A dedicated thread that owns one blocking SFTP connection and runs jobs on it in order.
/// libssh 0.10's SFTP calls block, so they run here rather than on the cooperative pool or a
/// shell reactor. The thread exits after `idleTimeout` without jobs or open transfers.
final class SFTPWorker: Sendable {
    private struct Mailbox {
        var jobs: Deque<SFTPJob> = []
        var busy = false
        var transfers = 0
        var exited = false
        var finished = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let target: SSHTarget
    let configuration: SFTPConfiguration
    private let mailbox = Mutex(Mailbox())
    private let wake = DispatchSemaphore(value: 0)

    init(target: SSHTarget, configuration: SFTPConfiguration) {
        self.target = target
        self.configuration = configuration
    }

    /// Queued jobs, the running one and open transfers: how busy the worker is.
    var load: Int {
        mailbox.withLock { $0.jobs.count + ($0.busy ? 1 : 0) + $0.transfers }
    }

    /// True once the thread has exited; such a worker takes no jobs.
    var hasExited: Bool { mailbox.withLock { $0.exited } }

    /// Starts the thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "cubicle-sftp-\(target.endpoint)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues a job; false when the worker has exited (pick another one).
    func post(_ job: @escaping SFTPJob) -> Bool {
        let accepted: Bool = mailbox.withLock { mailbox in
            if mailbox.exited { return false }
            mailbox.jobs.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Counts an open transfer, which keeps the worker (and its connection) alive.
    func transferOpened() { mailbox.withLock { $0.transfers += 1 } }

    /// Uncounts a transfer.
    func transferClosed() { mailbox.withLock { $0.transfers = max(0, $0.transfers - 1) } }

    private func run() {
        let context = SFTPWorkerContext(worker: self)
        while !context.stopping {
            let job: SFTPJob? = mailbox.withLock { mailbox in
                let job = mailbox.jobs.popFirst()
                mailbox.busy = job != nil
                return job
            }
            if let job {
                job(context)
                continue
            }
            if wake.wait(timeout: .now() + configuration.idleTimeout) == .timedOut {
                let exit: Bool = mailbox.withLock { mailbox in
                    guard mailbox.jobs.isEmpty, mailbox.transfers == 0 else { return false }
                    mailbox.exited = true
                    return true
                }
                if exit { break }
            }
        }
        let leftovers: [SFTPJob] = mailbox.withLock { mailbox in
            mailbox.exited = true
            mailbox.busy = false
            let jobs = Array(mailbox.jobs)
            mailbox.jobs = []
            return jobs
        }
        context.stopping = true
        for job in leftovers { job(context) }
        context.shutdown()
        let waiters: [CheckedContinuation<Void, Never>] = mailbox.withLock { mailbox in
            mailbox.finished = true
            let waiters = mailbox.exitWaiters
            mailbox.exitWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The thread-owned state of a worker: its connection and the transfers open on it.
final class SFTPWorkerContext {
    let worker: SFTPWorker
    private(set) var connection: SFTPConnection?
    var downloads: [UInt64: SFTPDownloadState] = [:]
    var writers: [UInt64: SFTPWriterState] = [:]
    /// Set when the worker is shutting down: jobs must fail instead of connecting.
    var stopping = false
    private var dropping = false

    init(worker: SFTPWorker) { self.worker = worker }

    /// A healthy connection, reconnecting when the last one died.
    func connectionForJob() throws(SSHError) -> SFTPConnection {
        if stopping { throw .shutDown("the SFTP client") }
        if let connection {
            if connection.isHealthy { return connection }
            dropConnection(.sessionDied(worker.target.endpoint, "the SFTP connection was lost"))
        }
        let fresh = try SFTPConnection.open(target: worker.target, configuration: worker.configuration)
        connection = fresh
        return fresh
    }

    /// Discards a dead connection; transfers open on it fail with `error`.
    func dropConnection(_ error: SSHError) {
        guard !dropping else { return }
        dropping = true
        defer { dropping = false }
        for download in Array(downloads.values) { download.fail(error, context: self) }
        for writer in Array(writers.values) { writer.fail(error, context: self) }
        connection?.close()
        connection = nil
    }

    /// Handles a job's error: a dead connection is dropped so the next job reconnects.
    func noteFailure(_ error: SSHError) {
        if error.reason == .sessionDied { dropConnection(error) }
    }

    func shutdown() {
        dropConnection(.shutDown("the SFTP client"))
    }
}

@available(*, unavailable)
extension SFTPWorkerContext: Sendable {}

extension SFTPWorker {
    /// Asks the thread to fail what is queued, close its connection and exit; returns once it has.
    func stop() async {
        _ = post { $0.stopping = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = mailbox.withLock { mailbox in
                if mailbox.finished { return true }
                mailbox.exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
