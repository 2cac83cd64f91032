/// Runs `body`, failing with a `TestFailure` if it takes longer than `seconds` (a deadline for
/// awaiting a condition, not a sleep).
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TestFailure("no result within \(seconds) s")
        }
        guard let result = try await group.next() else { throw TestFailure("no result") }
        group.cancelAll()
        return result
    }
}
