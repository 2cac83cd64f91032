import SSHClient
import Store

extension WorkspaceConnector {
    /// Removes the temporary files of expired resumable uploads. Best effort: a workspace that
    /// is not running (or a file already gone) is skipped, so the records can still be dropped;
    /// a leftover `.cubicle-upload-*` file is harmless and named for what it is.
    public func removeAbandonedUploads(_ uploads: [Upload]) async {
        for upload in uploads {
            guard let endpoint = try? endpoint(of: upload.workspace) else { continue }
            try? await sftp(for: endpoint).remove(upload.tempPath)
        }
    }
}
