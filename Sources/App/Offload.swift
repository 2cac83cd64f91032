import Foundation

/// Blocking work (file reads and writes, directory changes) on a thread of its own, never on
/// the cooperative pool.
public enum Offload {
    /// Runs `work` on a new thread and resumes with its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Reads a UTF-8 file.
    public static func read(_ path: String) async throws -> String {
        try await run { try String(contentsOfFile: path, encoding: .utf8) }
    }
}
