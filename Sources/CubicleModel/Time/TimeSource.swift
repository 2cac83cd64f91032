import Foundation
import Synchronization

/// The wall clock and timer that time-dependent logic (TTLs, backoff, timeouts) is written against,
/// so tests can drive time instead of sleeping.
public protocol TimeSource: Sendable {
    /// The current wall-clock time.
    var now: Date { get }
    /// Suspends until `deadline` (or returns at once if it has passed); throws on cancellation.
    func sleep(until deadline: Date) async throws
}

extension TimeSource {
    /// Suspends for `seconds` of this source's time.
    public func sleep(seconds: Double) async throws {
        try await sleep(until: now.addingTimeInterval(seconds))
    }
}

/// The real clock.
public struct SystemTimeSource: TimeSource {
    /// Creates the real clock.
    public init() {}
    /// The current wall-clock time.
    public var now: Date { Date() }
    /// Sleeps on the continuous clock until `deadline`.
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 { try await Task.sleep(for: .seconds(interval)) }
        try Task.checkCancellation()
    }
}

/// A clock that only moves when a test advances it; sleepers wake when their deadline is reached.
public final class ManualTimeSource: TimeSource {
    private struct Sleeper {
        let id: UInt64
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    /// Creates a clock stopped at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: start))
    }

    /// The current time of this clock.
    public var now: Date { state.withLock { $0.now } }

    /// How many tasks are currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock forward and wakes every sleeper whose deadline has been reached.
    public func advance(by seconds: Double) {
        let due: [Sleeper] = state.withLock { state in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until the clock is advanced past `deadline`.
    public func sleep(until deadline: Date) async throws {
        let id: UInt64 = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled: Sleeper? = state.withLock { state in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
