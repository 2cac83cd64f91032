import Synchronization

/// Observations counted into fixed buckets (upper bounds), with their sum and count. Bucket
/// counts are kept per bucket and made cumulative when rendered.
public final class Histogram: Sendable {
    /// A point-in-time copy of a histogram.
    public struct Snapshot: Sendable, Equatable {
        /// The finite upper bounds, ascending.
        public var bounds: [Double]
        /// Cumulative counts per bound, then the `+Inf` bucket (equal to `count`).
        public var cumulative: [UInt64]
        /// The sum of all observations.
        public var sum: Double
        /// How many observations.
        public var count: UInt64
    }

    private struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    /// The finite upper bounds, ascending.
    public let bounds: [Double]
    private let state: Mutex<State>

    /// Creates a histogram with `bounds` (sorted, deduplicated; `+Inf` is implied).
    public init(bounds: [Double]) {
        let finite = Array(Set(bounds.filter { $0.isFinite })).sorted()
        self.bounds = finite
        state = Mutex(State(counts: Array(repeating: 0, count: finite.count + 1)))
    }

    /// Records one observation (NaN is ignored: it would poison the sum).
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        // Binary search for the first bound >= value; the last slot is +Inf.
        var low = 0, high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if bounds[middle] >= value { high = middle } else { low = middle + 1 }
        }
        state.withLock { state in
            state.counts[low] += 1
            state.sum += value
            state.count += 1
        }
    }

    /// A consistent copy, buckets made cumulative.
    public func snapshot() -> Snapshot {
        let (counts, sum, count) = state.withLock { ($0.counts, $0.sum, $0.count) }
        var running: UInt64 = 0
        let cumulative = counts.map { running += $0; return running }
        return Snapshot(bounds: bounds, cumulative: cumulative, sum: sum, count: count)
    }

    /// Bounds for request latencies in seconds (5 ms … 60 s).
    public static let latencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Bounds for provisioning durations in seconds (0.5 s … 30 min).
    public static let provisionBounds: [Double] = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800]
}
