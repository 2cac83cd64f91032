import NIOCore

/// A task executor that runs jobs on one NIO event loop. A shell's bridge tasks and its output
/// pump prefer the event loop of their WebSocket, so a keystroke's echo crosses threads only
/// between that loop and the SSH reactor: the socket's reads and writes, the frame decoding and
/// the outbox hand-off then happen on one thread instead of hopping through the cooperative pool.
/// Only non-blocking work may run under it (the rule for any event loop).
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
