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

/// Condition polling for tests.
enum LocalClusterTestsSupport {
    /// True once `condition` holds, checked every 10 ms for up to `seconds` (false after that).
    static func eventually(within seconds: Double = 20, _ condition: @escaping @Sendable () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }
}
