/// Limits and tuning of the file endpoints (`files.*` in the server configuration).
public struct FileSettings: Sendable, Hashable {
    /// The largest file a plain or resumable upload may carry (`files.maxUploadBytes`).
    public var maxUploadBytes: Int64 = 10 << 30
    /// The size of every part of a resumable upload but the last.
    public var partSize: Int64 = 8 << 20
    /// Seconds a resumable upload lives after it starts.
    public var uploadLifetime: Double = 3600

    /// The defaults: 10 GiB uploads, 8 MiB parts, one hour to finish a resumable upload.
    public init() {}
}
