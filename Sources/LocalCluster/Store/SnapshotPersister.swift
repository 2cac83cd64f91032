import CubicleModel
import Dispatch
import Logging
import Synchronization

/// Write-behind persistence of the object store: a commit only marks the state dirty; a private
/// serial queue (never an event loop or the cooperative pool) takes a consistent snapshot and
/// replaces `state.json` atomically. Bursts of commits coalesce into one write.
final class SnapshotPersister: Sendable {
    private struct Status {
        var scheduled = false
        var lastError: LocalClusterError?
    }

    /// The state file.
    let path: String
    private let queue = DispatchQueue(label: "dev.cubicle.localcluster.persister")
    private let status = Mutex(Status())
    /// Touched only on `queue`; the mutex only satisfies Sendable.
    private let encoder = Mutex(SnapshotEncoder())
    private let logger: Logger

    /// A persister writing `directory/state.json`.
    init(directory: String, logger: Logger) {
        path = directory + "/state.json"
        self.logger = logger
    }

    /// Schedules a write of `store`'s current state unless one is already queued.
    func scheduleWrite(of store: ObjectStore) {
        let shouldSchedule = status.withLock { status in
            if status.scheduled { return false }
            status.scheduled = true
            return true
        }
        guard shouldSchedule else { return }
        queue.async { [self] in
            // Cleared before the snapshot so a commit that lands after it schedules another write.
            status.withLock { $0.scheduled = false }
            let (resourceVersion, tables) = store.tablesSnapshot()
            let bytes = encoder.withLock { $0.encode(resourceVersion: resourceVersion, tables: tables) }
            do throws(LocalClusterError) {
                try AtomicFile.write(bytes, to: path)
                status.withLock { $0.lastError = nil }
            } catch {
                logger.error("cannot persist the cluster state", metadata: ["error": "\(error)"])
                status.withLock { $0.lastError = error }
            }
        }
    }

    /// Waits until every write scheduled so far has finished.
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }

    /// The error of the most recent write, if it failed.
    var lastError: LocalClusterError? { status.withLock { $0.lastError } }

    /// Runs blocking file work on the persister's queue and returns its result.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws(LocalClusterError) -> T) async throws(LocalClusterError) -> T {
        let result: Result<T, LocalClusterError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(LocalClusterError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Reads the state file (on the persister's queue); nil when there is none yet.
    func load() async throws(LocalClusterError) -> PersistedState? {
        let path = path
        return try await perform { () throws(LocalClusterError) -> PersistedState? in
            AtomicFile.removeStaleTemporaries(of: path)
            guard let bytes = try AtomicFile.read(path) else { return nil }
            let document: JSONValue
            do {
                document = try JSONValue.parse(bytes)
            } catch {
                throw .setup("the cluster state file \(path) is not valid JSON", underlying: error)
            }
            return try PersistedState(document: document)
        }
    }
}
