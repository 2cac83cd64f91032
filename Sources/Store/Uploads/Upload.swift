import Foundation

/// One received part of a resumable upload.
public struct UploadPart: Sendable, Hashable {
    /// The part's number, as in `PUT …/parts/:n`.
    public var number: Int
    /// How many bytes it held.
    public var size: Int64
    /// Its SHA-256 in hex, when computed.
    public var sha256: String?

    /// Creates a part record.
    public init(number: Int, size: Int64, sha256: String? = nil) {
        self.number = number
        self.size = size
        self.sha256 = sha256
    }
}

/// A resumable upload in progress; it survives a server restart and expires after a while.
public struct Upload: Sendable, Hashable {
    /// The upload's id.
    public var uploadID: String
    /// Who uploads.
    public var username: String
    /// Into which workspace.
    public var workspace: String
    /// The final path of the file.
    public var path: String
    /// The temporary file the parts are written into.
    public var tempPath: String
    /// The announced total size.
    public var size: Int64
    /// The announced SHA-256 (hex) to verify on completion.
    public var sha256: String?
    /// The size of every part but the last.
    public var partSize: Int64
    /// When the upload started.
    public var createdAt: Date
    /// When it is abandoned.
    public var expiresAt: Date
    /// The parts received so far, by number.
    public var parts: [UploadPart]

    /// Creates an upload record.
    public init(
        uploadID: String, username: String, workspace: String, path: String, tempPath: String, size: Int64,
        sha256: String?, partSize: Int64, createdAt: Date, expiresAt: Date, parts: [UploadPart] = []
    ) {
        self.uploadID = uploadID
        self.username = username
        self.workspace = workspace
        self.path = path
        self.tempPath = tempPath
        self.size = size
        self.sha256 = sha256
        self.partSize = partSize
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.parts = parts
    }
}

/// Resumable uploads. An expired upload answers `not_found` before the tidier removes it.
public protocol UploadStore: Sendable {
    /// Records a new upload (with any parts it already lists); `already_exists` if the id is taken.
    func create(_ upload: Upload) async throws

    /// Records a received part; receiving the same number again replaces it (retries are safe).
    func markPartReceived(uploadID: String, part: UploadPart) async throws

    /// The upload with its parts in number order.
    func get(uploadID: String) async throws -> Upload

    /// Deletes an upload and its part records; `not_found` if there is none.
    func delete(uploadID: String) async throws

    /// Uploads whose expiry is at or before `now`, with their parts, oldest first.
    func expired(now: Date) async throws -> [Upload]
}
