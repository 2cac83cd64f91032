import Foundation

/// A file's attributes as the SFTP server reports them (from `stat`, `lstat` or a listing).
public struct SFTPFileInfo: Sendable, Hashable {
    /// The last path component (for listings) or the path as asked.
    public let name: String
    /// The full path.
    public let path: String
    /// Size in bytes.
    public let size: UInt64
    /// `st_mode`: file type and permission bits.
    public let mode: UInt32
    /// Last modification time.
    public let modificationTime: Date
    /// Owner user id.
    public let uid: UInt32
    /// Owner group id.
    public let gid: UInt32

    /// Creates attributes (mostly for tests; the client builds these from the server's replies).
    public init(name: String, path: String, size: UInt64, mode: UInt32, modificationTime: Date, uid: UInt32 = 0,
                gid: UInt32 = 0) {
        self.name = name
        self.path = path
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
        self.uid = uid
        self.gid = gid
    }

    /// True for directories.
    public var isDirectory: Bool { mode & 0o170000 == 0o040000 }
    /// True for regular files.
    public var isRegularFile: Bool { mode & 0o170000 == 0o100000 }
    /// True for symbolic links (only `lstat` and listings report these).
    public var isSymbolicLink: Bool { mode & 0o170000 == 0o120000 }
    /// The permission bits (`0o755` etc.).
    public var permissions: UInt32 { mode & 0o7777 }
}

/// File-system capacity as `statvfs` reports it.
public struct SFTPFileSystemInfo: Sendable, Hashable {
    /// Total bytes.
    public let totalBytes: UInt64
    /// Free bytes.
    public let freeBytes: UInt64
    /// Bytes available to unprivileged users.
    public let availableBytes: UInt64
    /// True when mounted read-only.
    public let readOnly: Bool
}

/// How to open a file for writing.
public struct SFTPWriteOptions: Sendable, Hashable {
    /// Create the file if missing.
    public var create = true
    /// Fail with `already_exists` if the file exists (`O_EXCL`); for temporary upload files.
    public var exclusive = false
    /// Truncate an existing file to zero length.
    public var truncate = false
    /// Permission bits for a created file.
    public var mode: UInt32 = 0o644

    /// Creates options.
    public init(create: Bool = true, exclusive: Bool = false, truncate: Bool = false, mode: UInt32 = 0o644) {
        self.create = create
        self.exclusive = exclusive
        self.truncate = truncate
        self.mode = mode
    }
}
