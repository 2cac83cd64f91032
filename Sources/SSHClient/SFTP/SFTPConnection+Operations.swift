import CLibSSH
import Foundation

/// The metadata operations, run on the worker thread that owns the connection.
extension SFTPConnection {
    func stat(_ path: String) throws(SSHError) -> SFTPFileInfo {
        let attributes = try blocking { () throws(SSHError) in sftp_stat(sftp, path) }
        guard let attributes else { throw error("stat", path) }
        defer { sftp_attributes_free(attributes) }
        return Self.info(attributes, name: Self.lastComponent(path), path: path)
    }

    func lstat(_ path: String) throws(SSHError) -> SFTPFileInfo {
        let attributes = try blocking { () throws(SSHError) in sftp_lstat(sftp, path) }
        guard let attributes else { throw error("lstat", path) }
        defer { sftp_attributes_free(attributes) }
        return Self.info(attributes, name: Self.lastComponent(path), path: path)
    }

    func realpath(_ path: String) throws(SSHError) -> String {
        let resolved = try blocking { () throws(SSHError) in sftp_canonicalize_path(sftp, path) }
        guard let resolved else { throw error("realpath", path) }
        defer { ssh_string_free_char(resolved) }
        return String(cString: resolved)
    }

    func list(_ directory: String) throws(SSHError) -> [SFTPFileInfo] {
        let handle = try blocking { () throws(SSHError) in sftp_opendir(sftp, directory) }
        guard let handle else { throw error("list", directory) }
        defer { _ = try? blocking { () throws(SSHError) in sftp_closedir(handle) } }
        var entries: [SFTPFileInfo] = []
        while true {
            let attributes = try blocking { () throws(SSHError) in sftp_readdir(sftp, handle) }
            guard let attributes else { break }
            defer { sftp_attributes_free(attributes) }
            let name = attributes.pointee.name.map { String(cString: $0) } ?? ""
            if name.isEmpty || name == "." || name == ".." { continue }
            entries.append(Self.info(attributes, name: name, path: Self.join(directory, name)))
        }
        guard sftp_dir_eof(handle) != 0 else { throw error("list", directory) }
        return entries.sorted { $0.name < $1.name }
    }

    func makeDirectory(_ path: String, mode: UInt32) throws(SSHError) {
        let rc = try blocking { () throws(SSHError) in sftp_mkdir(sftp, path, mode_t(mode)) }
        guard rc == 0 else {
            let failure = error("mkdir", path)
            if failure.reason == .sftpFailure, let existing = try? stat(path) {
                throw existing.isDirectory
                    ? SSHError(code: .alreadyExists, reason: .alreadyExists, message: "directory already exists: \(path)")
                    : SSHError(code: .alreadyExists, reason: .alreadyExists, message: "a file is in the way: \(path)")
            }
            throw failure
        }
    }

    /// `mkdir -p`: creates missing parents; an existing directory is fine.
    func makeDirectories(_ path: String, mode: UInt32) throws(SSHError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") where !component.isEmpty && component != "." {
            prefix += "/" + component
            do throws(SSHError) {
                let existing = try stat(prefix)
                guard existing.isDirectory else {
                    throw SSHError(code: .alreadyExists, reason: .alreadyExists, message: "not a directory: \(prefix)")
                }
            } catch where error.reason == .notFound {
                do throws(SSHError) {
                    try makeDirectory(prefix, mode: mode)
                } catch where error.reason == .alreadyExists {
                    // Created concurrently by someone else; fine if it is a directory.
                    guard (try? stat(prefix))?.isDirectory == true else { throw error }
                }
            }
        }
    }

    /// Removes a file or empty directory, or with `recursive` a whole tree (symlinks are
    /// removed, never followed).
    func remove(_ path: String, recursive: Bool) throws(SSHError) {
        let info = try lstat(path)
        if info.isDirectory {
            if recursive {
                for entry in try list(path) { try remove(entry.path, recursive: true) }
            }
            let rc = try blocking { () throws(SSHError) in sftp_rmdir(sftp, path) }
            guard rc == 0 else {
                let failure = error("rmdir", path)
                if failure.reason == .sftpFailure, !recursive, let entries = try? list(path), !entries.isEmpty {
                    throw SSHError(code: .conflict, reason: .sftpFailure, message: "directory not empty: \(path)")
                }
                throw failure
            }
        } else {
            let rc = try blocking { () throws(SSHError) in sftp_unlink(sftp, path) }
            guard rc == 0 else { throw error("remove", path) }
        }
    }

    /// Renames with POSIX semantics (the target is replaced atomically) via
    /// `posix-rename@openssh.com`; servers without it get a plain SFTP rename.
    func rename(_ source: String, to destination: String) throws(SSHError) {
        if sftp_extension_supported(sftp, "posix-rename@openssh.com", "1") != 0 {
            let status = try blocking { () throws(SSHError) in try extensions().posixRename(from: source, to: destination) }
            guard status.code == SFTPStatus.ok else {
                throw SFTPStatus.error(code: status.code, operation: "rename", path: "\(source) -> \(destination)",
                                       detail: status.message)
            }
            return
        }
        let rc = try blocking { () throws(SSHError) in sftp_rename(sftp, source, destination) }
        guard rc == 0 else { throw error("rename", "\(source) -> \(destination)") }
    }

    func chmod(_ path: String, mode: UInt32) throws(SSHError) {
        let rc = try blocking { () throws(SSHError) in sftp_chmod(sftp, path, mode_t(mode)) }
        guard rc == 0 else { throw error("chmod", path) }
    }

    func statvfs(_ path: String) throws(SSHError) -> SFTPFileSystemInfo {
        let info = try blocking { () throws(SSHError) in sftp_statvfs(sftp, path) }
        guard let info else { throw error("statvfs", path) }
        defer { sftp_statvfs_free(info) }
        let unit = info.pointee.f_frsize > 0 ? info.pointee.f_frsize : info.pointee.f_bsize
        return SFTPFileSystemInfo(
            totalBytes: info.pointee.f_blocks &* unit,
            freeBytes: info.pointee.f_bfree &* unit,
            availableBytes: info.pointee.f_bavail &* unit,
            readOnly: info.pointee.f_flag & UInt64(SSH_FXE_STATVFS_ST_RDONLY) != 0
        )
    }

    static func info(_ attributes: sftp_attributes, name: String, path: String) -> SFTPFileInfo {
        let value = attributes.pointee
        var mode = value.permissions
        if mode & 0o170000 == 0 {
            switch Int32(value.type) {
            case SSH_FILEXFER_TYPE_DIRECTORY: mode |= 0o040000
            case SSH_FILEXFER_TYPE_SYMLINK: mode |= 0o120000
            case SSH_FILEXFER_TYPE_REGULAR: mode |= 0o100000
            default: break
            }
        }
        let modified = value.mtime64 != 0 ? value.mtime64 : UInt64(value.mtime)
        return SFTPFileInfo(name: name, path: path, size: value.size, mode: mode,
                            modificationTime: Date(timeIntervalSince1970: TimeInterval(modified)),
                            uid: value.uid, gid: value.gid)
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
