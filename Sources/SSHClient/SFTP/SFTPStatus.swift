import Foundation
import CubicleModel

/// Maps SFTP status codes to `SSHError`s that name the path and carry the API's codes.
enum SFTPStatus {
    static let ok: UInt32 = 0
    static let eof: UInt32 = 1
    static let noSuchFile: UInt32 = 2
    static let permissionDenied: UInt32 = 3
    static let failure: UInt32 = 4
    static let badMessage: UInt32 = 5
    static let noConnection: UInt32 = 6
    static let connectionLost: UInt32 = 7
    static let opUnsupported: UInt32 = 8
    static let noSuchPath: UInt32 = 10
    static let fileAlreadyExists: UInt32 = 11
    static let writeProtect: UInt32 = 12

    /// The error for `operation` on `path` failing with `code`; `detail` is the server's text.
    static func error(code: UInt32, operation: String, path: String, detail: String) -> SSHError {
        switch code {
        case noSuchFile, noSuchPath:
            return SSHError(code: .notFound, reason: .notFound, message: "no such file or directory: \(path)")
        case permissionDenied, writeProtect:
            return SSHError(code: .forbidden, reason: .permissionDenied, message: "permission denied: \(path)")
        case fileAlreadyExists:
            return SSHError(code: .alreadyExists, reason: .alreadyExists, message: "already exists: \(path)")
        case noConnection, connectionLost:
            return SSHError(code: .sshUnavailable, reason: .sessionDied, message: "SFTP connection lost during \(operation) of \(path)")
        case opUnsupported:
            return SSHError(code: .internalError, reason: .sftpFailure,
                            message: "the SFTP server does not support \(operation) (\(path))")
        default:
            let text = detail.replacingOccurrences(of: "SFTP server: ", with: "")
            return SSHError(code: .internalError, reason: .sftpFailure, message: "\(operation) \(path) failed: \(text)")
        }
    }
}
