import Store
import SSHClient
import Synchronization

/// The `.cubicle-upload-*` temporary files this server is writing right now, and the sweep
/// that removes the ones nobody is. A handler removes its own temporary file when an upload
/// fails, but a server killed mid-upload (SIGKILL, a crash, a stop that cut the SFTP session
/// first) leaves it behind; the next upload into that directory removes it. A temporary file
/// that belongs to a resumable upload still in the store is never swept. One server per store
/// is assumed (SQLite), so a file not live here is abandoned.
final class UploadTemporaries: Sendable {
    private let live = Mutex<Set<String>>([])

    /// The name prefix of every temporary upload file.
    static let prefix = ".cubicle-upload-"

    /// Marks `path` as being written until `end`.
    func begin(_ path: String) { _ = live.withLock { $0.insert(path) } }

    /// Unmarks `path`.
    func end(_ path: String) { _ = live.withLock { $0.remove(path) } }

    /// True while this server writes `path`.
    func isLive(_ path: String) -> Bool { live.withLock { $0.contains(path) } }

    /// Removes abandoned temporary files in `directory`: those not live here and not owned by a
    /// stored resumable upload. Best effort: a listing or removal that fails leaves things as
    /// they are (the upload itself must not fail for it).
    func sweep(_ directory: String, client: SFTPClient, uploads: any UploadStore) async {
        guard let entries = try? await client.list(directory) else { return }
        for entry in entries where entry.name.hasPrefix(Self.prefix) && !entry.isDirectory && !isLive(entry.path) {
            let id = String(entry.name.dropFirst(Self.prefix.count))
            guard await Self.isAbandoned(uploadID: id, uploads: uploads) else { continue }
            try? await client.remove(entry.path)
        }
    }

    /// True when no stored resumable upload has `uploadID` (a store failure counts as owned).
    private static func isAbandoned(uploadID: String, uploads: any UploadStore) async -> Bool {
        do {
            _ = try await uploads.get(uploadID: uploadID)
            return false
        } catch let error as StoreError where error.code == .notFound {
            return true
        } catch {
            return false
        }
    }
}
