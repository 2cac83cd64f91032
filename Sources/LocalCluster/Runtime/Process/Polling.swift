import CubicleModel

/// Waits for a condition that only the kernel's state can tell (a namespace emptied, a cgroup
/// drained) by re-checking it on the worker thread at a short interval, up to a deadline.
enum Polling {
    /// Re-checks `condition` on the worker until it holds or `timeout` seconds of `clock` pass.
    static func until(
        _ clock: any TimeSource, timeout: Double, interval: Double = 0.02,
        _ condition: @escaping @Sendable () -> Bool
    ) async -> Bool {
        let deadline = clock.now.addingTimeInterval(timeout)
        while true {
            if await RuntimeWorker.shared.run(condition) { return true }
            if clock.now >= deadline { return false }
            do { try await clock.sleep(seconds: interval) } catch { return false }
        }
    }
}

extension Duration {
    /// The duration in seconds (named so it cannot clash with another extension in the module).
    var runtimeSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
