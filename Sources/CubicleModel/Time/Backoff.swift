/// Capped, jittered exponential backoff as a pure function, shared by API retries, reconcile loops
/// and supervisors.
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry, in seconds.
    public var initial: Double
    /// The largest delay, in seconds.
    public var maximum: Double
    /// The growth factor per attempt.
    public var multiplier: Double
    /// The fraction of the delay that is randomized (0 = none, 0.2 = ±20 %).
    public var jitter: Double

    /// Creates a policy.
    public init(initial: Double, maximum: Double, multiplier: Double = 2, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The controller policy: 0.8 s doubling to 30 s, ±20 %.
    public static let controller = Backoff(initial: 0.8, maximum: 30)

    /// The delay in seconds before retry number `attempt` (0-based), with `random` in 0..<1
    /// choosing the jitter; never above `maximum`, never negative.
    public func delay(attempt: Int, random: Double) -> Double {
        let exponent = Double(max(0, min(attempt, 62)))
        let base = min(maximum, initial * pow(multiplier, exponent))
        let spread = base * jitter * (random * 2 - 1)
        return max(0, min(maximum, base + spread))
    }

    /// The delay for `attempt` with system randomness.
    public func delay(attempt: Int) -> Double {
        delay(attempt: attempt, random: Double.random(in: 0..<1))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            result *= base
            if result > 1e300 { return result }
            remaining -= 1
        }
        return result
    }
}
