import CubicleModel
import Synchronization

/// A watch response in flight: the store subscription, how each item becomes a JSON line, and
/// the timers the transport runs (server-side timeout, bookmarks).
struct WatchStream: Sendable {
    let subscription: WatchSubscription
    let store: ObjectStore
    let time: any TimeSource
    let contentType: String
    /// The server ends the stream cleanly after this many seconds.
    let timeoutSeconds: Double
    /// Seconds between bookmarks, when the client allows them.
    let bookmarkInterval: Double?
    /// One item as a watch-event JSON line, or nil to skip it.
    let encode: @Sendable (WatchItem) -> [UInt8]?

    /// Runs the timers next to `consume`: when the timeout fires the subscription ends and the
    /// result is `true` (a clean end); otherwise the stream ended because the store closed it
    /// (cut, overflow, shutdown) or `consume` stopped, and the result is `false`.
    func run(_ consume: @Sendable (AsyncStream<WatchItem>) async -> Bool) async -> Bool {
        let timedOut = LockedFlag()
        return await withTaskGroup(of: Void.self) { group in
            let id = subscription.id
            group.addTask { [store, time, timeoutSeconds] in
                do {
                    try await time.sleep(seconds: timeoutSeconds)
                    timedOut.set()
                    store.endWatch(id)
                } catch {}
            }
            if let bookmarkInterval {
                group.addTask { [store, time] in
                    while !Task.isCancelled {
                        do { try await time.sleep(seconds: bookmarkInterval) } catch { return }
                        store.requestBookmark(id)
                    }
                }
            }
            let finishedCleanly = await consume(subscription.items)
            store.endWatch(id)
            group.cancelAll()
            return finishedCleanly || timedOut.isSet
        }
    }
}

/// A thread-safe boolean that closures can share (a `Mutex` cannot be captured by escaping closures).
final class LockedFlag: Sendable {
    private let value = Mutex(false)

    /// Sets the flag.
    func set() { value.withLock { $0 = true } }

    /// Sets the flag and returns whether it was already set.
    func testAndSet() -> Bool {
        value.withLock { flag in
            defer { flag = true }
            return flag
        }
    }

    /// Whether the flag is set.
    var isSet: Bool { value.withLock { $0 } }
}
