import CubicleModel
import Foundation
import Synchronization

/// Per-key change counters that tasks can wait on: a writer `bump`s a key, a reader remembers the
/// `version` it saw and awaits `waitForChange(of:after:)` — no polling, no lost wake-ups.
public final class ChangeNotifier<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var versions: [Key: UInt64] = [:]
        var waiters: [Key: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a notifier with every counter at zero.
    public init() {}

    /// The current counter of `key`.
    public func version(of key: Key) -> UInt64 {
        state.withLock { $0.versions[key] ?? 0 }
    }

    /// Advances the counters of `keys` and wakes their waiters.
    public func bump(_ keys: some Sequence<Key>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for key in keys {
                state.versions[key, default: 0] += 1
                woken += (state.waiters.removeValue(forKey: key) ?? [:]).values
            }
            return woken
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Advances the counter of `key` and wakes its waiters.
    public func bump(_ key: Key) { bump(CollectionOfOne(key)) }

    /// Suspends until `key` moves past `version` (at once if it already has) or the task is cancelled.
    public func waitForChange(of key: Key, after version: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if (state.versions[key] ?? 0) > version || Task.isCancelled { return true }
                    state.waiters[key, default: [:]][id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiters[key]?.removeValue(forKey: id) }
            continuation?.resume()
        }
    }
}

extension ChangeNotifier {
    /// Waits for a change of `key` past `version`, but no longer than until `deadline` on `time`.
    public func waitForChange(of key: Key, after version: UInt64, until deadline: Date, time: any TimeSource) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForChange(of: key, after: version) }
            group.addTask { try? await time.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}
