/// Tuning for an `SFTPClient`. The transfer defaults were measured on loopback against
/// OpenSSH 9.2 (see the package report): 32 reads of 64 KiB in flight and 255 KiB writes.
public struct SFTPConfiguration: Sendable {
    /// SFTP sessions (each with its own thread and SSH connection) per target.
    public var maxSessions: Int = 4
    /// Seconds for TCP connect, key exchange and authentication.
    public var connectTimeout: Double = 10
    /// Seconds one blocking SFTP call may take before the connection is declared dead.
    public var operationTimeout: Double = 60
    /// Seconds an unused SFTP session stays open.
    public var idleTimeout: Double = 60
    /// Bytes per read request in downloads.
    public var readChunkSize: Int = 64 * 1024
    /// Read requests in flight per download.
    public var readsInFlight: Int = 32
    /// Bytes a download buffers for its consumer, counting reads in flight.
    public var downloadBufferBytes: Int = 4 * 1024 * 1024
    /// Largest write request; capped by what the server announces (`limits@openssh.com`).
    public var writeChunkSize: Int = 255 * 1024
    /// Write requests in flight per upload.
    public var writesInFlight: Int = 16
    /// Bytes an upload holds (queued and in flight) before `write` suspends; at least the
    /// bytes in flight, so the pipeline never starves for lack of room.
    public var uploadQueueBytes: Int = 8 * 1024 * 1024
    /// Cipher preference, as for reactor sessions.
    public var ciphers: String = SSHSessionOptions().ciphers

    /// The defaults.
    public init() {}
}
