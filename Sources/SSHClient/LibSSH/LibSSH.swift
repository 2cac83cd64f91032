import CLibSSH

/// Process-wide libssh setup and small helpers shared by the reactor and the SFTP workers.
enum LibSSH {
    private static let initialized: Bool = ssh_init() == SSH_OK

    /// Initialises libssh once per process (its constructor usually has; this makes it explicit).
    static func ensureInitialized() {
        _ = initialized
    }

    /// The last error libssh recorded on a session, or a fallback when there is none.
    static func errorMessage(_ session: ssh_session?) -> String {
        guard let session, let cString = ssh_get_error(UnsafeMutableRawPointer(session)) else {
            return "unknown libssh error"
        }
        let text = String(cString: cString)
        return text.isEmpty ? "unknown libssh error" : text
    }
}
