import Foundation

/// Runs blocking work (file reads, process spawn and wait) on a fresh dedicated thread so it never
/// occupies a thread of Swift's cooperative pool.
enum Offload {
    /// Runs `work` on its own thread and returns its result; the caller suspends meanwhile.
    static func run<T: Sendable>(_ name: String = "cubicle.kubeclient.offload", _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = name
            thread.start()
        }
    }
}
