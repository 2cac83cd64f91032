import Foundation
import SSHClient
import Store

/// One entry of a directory listing.
struct FileEntryBody: Encodable, Sendable {
    let name: String
    let path: String
    let size: UInt64
    /// Permission bits in octal, e.g. `"0644"`.
    let mode: String
    let isDir: Bool
    let modTime: Date

    init(_ info: SFTPFileInfo) {
        name = info.name
        path = info.path
        size = info.size
        mode = FileEntryBody.octal(info.permissions)
        isDir = info.isDirectory
        modTime = info.modificationTime
    }

    static func octal(_ bits: UInt32) -> String {
        let digits = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// The answer to a finished upload.
struct UploadedFileBody: Encodable, Sendable {
    let path: String
    let size: Int64
    let sha256: String
}

/// The answer to starting a resumable upload.
struct UploadTicketBody: Encodable, Sendable {
    let uploadId: String
    let partSize: Int64
    let expiresAt: Date
}

/// `POST …/files/uploads`.
struct StartUploadBody: Decodable, Sendable {
    let path: String
    let size: Int64
    let sha256: String?
    /// Create missing parent directories (as `PUT …&mkdirs=true`).
    let mkdirs: Bool?
    /// false: 409 when the file exists when the upload starts (as `PUT …&overwrite=false`).
    let overwrite: Bool?
    /// Octal permission bits for the new file, e.g. `"0600"` (as `PUT …&mode=`).
    let mode: String?
}

/// A resumable upload's progress.
struct UploadStatusBody: Encodable, Sendable {
    struct Part: Encodable, Sendable {
        let number: Int
        let size: Int64
        let sha256: String?
    }

    let uploadId: String
    let path: String
    let size: Int64
    let sha256: String?
    let partSize: Int64
    let partCount: Int
    let receivedBytes: Int64
    let parts: [Part]
    let missing: [Int]
    let expiresAt: Date

    init(_ upload: Upload, plan: UploadPlan) {
        uploadId = upload.uploadID
        path = upload.path
        size = upload.size
        sha256 = upload.sha256
        partSize = upload.partSize
        partCount = plan.partCount
        parts = upload.parts.map { Part(number: $0.number, size: $0.size, sha256: $0.sha256) }
        receivedBytes = upload.parts.reduce(0) { $0 + $1.size }
        missing = plan.missingParts(upload.parts)
        expiresAt = upload.expiresAt
    }
}
