import Dispatch
import Foundation
import Synchronization

/// A few dedicated threads, each owning one SQLite connection, that take work from one queue.
///
/// SQLite calls block (on disk, on locks), so they never run on the cooperative pool: callers
/// `await` a result while the work runs here. A connection never leaves the thread that opened it.
final class SQLiteWorkerPool: Sendable {
    typealias Work = @Sendable (SQLiteConnection) -> Void

    private enum Item {
        case work(Work)
        case stop
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var closed = false
        var live = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func push(_ item: Item) { items.append(item) }

        mutating func pop() -> Item? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 256 {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private let state = Mutex(State())
    private let wakeups = DispatchSemaphore(value: 0)
    private let name: String

    private init(name: String) { self.name = name }

    /// Starts `count` threads and opens a connection on each with `open`; throws the first open failure.
    static func start(
        name: String,
        count: Int,
        open: @escaping @Sendable () throws -> SQLiteConnection
    ) async throws -> SQLiteWorkerPool {
        let pool = SQLiteWorkerPool(name: name)
        do {
            for index in 0..<max(1, count) {
                try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
                    pool.spawn(name: count > 1 ? "\(name)-\(index)" : name, open: open, ready: ready)
                }
            }
        } catch {
            await pool.shutdown()
            throw error
        }
        return pool
    }

    /// Runs `body` with a connection on one of the pool's threads and returns its result.
    func submit<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work: Work = { connection in
                continuation.resume(with: Result { try body(connection) })
            }
            let accepted = state.withLock { state in
                guard !state.closed else { return false }
                state.push(.work(work))
                return true
            }
            if accepted {
                wakeups.signal()
            } else {
                continuation.resume(throwing: StoreError.closed)
            }
        }
    }

    /// Lets queued work finish, closes every connection, and returns when all threads have ended.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stops: Int? = state.withLock { state in
                guard state.live > 0 else { return nil }
                state.stopWaiters.append(continuation)
                return requestStop(&state)
            }
            guard let stops else { return continuation.resume() }
            for _ in 0..<stops { wakeups.signal() }
        }
    }

    /// Asks the threads to stop without waiting (for `deinit` paths).
    func shutdownDetached() {
        let stops = state.withLock { requestStop(&$0) }
        for _ in 0..<stops { wakeups.signal() }
    }

    /// Marks the pool closed and queues one stop per live thread (once); returns how many to signal.
    private func requestStop(_ state: inout State) -> Int {
        guard !state.closed else { return 0 }
        state.closed = true
        for _ in 0..<state.live { state.push(.stop) }
        return state.live
    }

    private func spawn(
        name: String,
        open: @escaping @Sendable () throws -> SQLiteConnection,
        ready: CheckedContinuation<Void, any Error>
    ) {
        let thread = Thread { [self] in
            let connection: SQLiteConnection
            do {
                connection = try open()
            } catch {
                ready.resume(throwing: error)
                return
            }
            state.withLock { $0.live += 1 }
            ready.resume()
            serve(connection)
        }
        thread.name = name
        thread.start()
    }

    /// The thread's loop: one wake-up per queued item, until a stop arrives.
    private func serve(_ connection: SQLiteConnection) {
        while true {
            wakeups.wait()
            guard let item = state.withLock({ $0.pop() }), case .work(let work) = item else { break }
            work(connection)
        }
        connection.close()
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.live -= 1
            guard state.live == 0 else { return [] }
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
