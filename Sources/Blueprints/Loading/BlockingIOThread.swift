import Dispatch
import Foundation
import Synchronization

/// One dedicated thread that runs the module's blocking work (directory scans, file reads, YAML
/// parsing) so none of it lands on the cooperative pool. Its large stack gives Yams' recursive
/// composer head-room beyond what `YAMLPrecheck` lets through.
final class BlockingIOThread: Sendable {
    /// The thread all loads share; it idles on a semaphore between jobs.
    static let shared = BlockingIOThread(name: "cubicle-blueprints-io")

    private final class Queue: Sendable {
        let jobs = Mutex<[@Sendable () -> Void]>([])
        let pending = DispatchSemaphore(value: 0)
    }

    private let queue = Queue()

    private init(name: String) {
        let thread = Thread { [queue] in
            while true {
                queue.pending.wait()
                let job = queue.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?()
            }
        }
        thread.name = name
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            queue.jobs.withLock { $0.append { continuation.resume(returning: body()) } }
            queue.pending.signal()
        }
    }
}
