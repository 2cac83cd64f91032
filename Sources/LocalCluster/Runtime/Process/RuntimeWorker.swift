import Foundation
import Synchronization

/// The one dedicated thread on which the pod runtime performs blocking work: process spawns (which
/// temporarily change the thread's PID namespace and cgroup, so they must never run on a shared
/// pool thread), mount syscalls, `/proc` scans and file writes. Jobs run serially in FIFO order.
final class RuntimeWorker: Sendable {
    /// The process-wide worker; its thread lives as long as the process, like NIO's singletons.
    static let shared = RuntimeWorker()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "cubicle-runtime-worker"
        thread.start()
    }

    /// Runs `body` on the worker thread and returns its result to the caller.
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Runs a non-throwing `body` on the worker thread.
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            enqueue { continuation.resume(returning: body()) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        available.signal()
    }

    private func loop() {
        while true {
            available.wait()
            let job: (@Sendable () -> Void)? = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }
}
