import Synchronization

/// A monotonically increasing count (requests, bytes, outcomes). Updates are one atomic add, so
/// hot paths (per-chunk byte counts) pay nothing more; resolve labelled children once, not per update.
public final class Counter: Sendable {
    private let storage = Atomic<UInt64>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds `amount` (default one).
    public func increment(by amount: UInt64 = 1) {
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// Adds a byte count or similar; negative amounts are ignored (counters never go down).
    public func increment<Amount: BinaryInteger>(by amount: Amount) {
        guard amount > 0 else { return }
        storage.wrappingAdd(UInt64(clamping: amount), ordering: .relaxed)
    }

    /// The current count.
    public var value: UInt64 { storage.load(ordering: .relaxed) }
}

/// A value that goes up and down (sessions open now, workspaces per status).
public final class Gauge: Sendable {
    private let storage = Atomic<Int64>(0)

    /// Creates a gauge at zero.
    public init() {}

    /// Sets the value.
    public func set(_ value: Int64) { storage.store(value, ordering: .relaxed) }

    /// Adds one (or `amount`).
    public func increment(by amount: Int64 = 1) { storage.wrappingAdd(amount, ordering: .relaxed) }

    /// Subtracts one (or `amount`).
    public func decrement(by amount: Int64 = 1) { storage.wrappingSubtract(amount, ordering: .relaxed) }

    /// The current value.
    public var value: Int64 { storage.load(ordering: .relaxed) }
}
