import Foundation

/// What a session did: an interactive shell, an exec, or SFTP file transfer.
public enum ShellOperation: String, Sendable, Hashable, CaseIterable {
    /// An interactive shell (`sh`).
    case shell = "sh"
    /// A command execution (`ex`).
    case exec = "ex"
    /// SFTP file transfer (`sf`).
    case sftp = "sf"

    /// The bit for this operation in the stored set.
    var bit: Int64 {
        switch self {
        case .shell: 1
        case .exec: 2
        case .sftp: 4
        }
    }

    /// The stored bit set of `operations`.
    static func mask(_ operations: Set<ShellOperation>) -> Int64 {
        operations.reduce(0) { $0 | $1.bit }
    }

    /// The operations in a stored bit set.
    static func operations(in mask: Int64) -> Set<ShellOperation> {
        Set(allCases.filter { mask & $0.bit != 0 })
    }
}

/// A shell session (API.md `Session`): who connected to which workspace, when, and how much moved.
public struct ShellSession: Sendable, Hashable {
    /// The session's id.
    public var sessionID: String
    /// Who connected.
    public var username: String
    /// To which workspace.
    public var workspace: String
    /// The workspace's blueprint.
    public var blueprint: String
    /// The client (user agent or tool name).
    public var client: String
    /// The client's address.
    public var clientIP: String
    /// When the session started.
    public var startTime: Date
    /// When it ended; nil while it lasts.
    public var endTime: Date?
    /// Bytes from the client into the workspace.
    public var bytesIn: Int64
    /// Bytes from the workspace to the client.
    public var bytesOut: Int64
    /// What the session did.
    public var operations: Set<ShellOperation>
    /// Where the asciicast recording is, when recorded.
    public var recordingPath: String?

    /// Creates a session record.
    public init(
        sessionID: String, username: String, workspace: String, blueprint: String, client: String,
        clientIP: String, startTime: Date, endTime: Date? = nil, bytesIn: Int64 = 0, bytesOut: Int64 = 0,
        operations: Set<ShellOperation> = [], recordingPath: String? = nil
    ) {
        self.sessionID = sessionID
        self.username = username
        self.workspace = workspace
        self.blueprint = blueprint
        self.client = client
        self.clientIP = clientIP
        self.startTime = startTime
        self.endTime = endTime
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.operations = operations
        self.recordingPath = recordingPath
    }
}

/// The record of shell sessions.
public protocol ShellSessionStore: Sendable {
    /// Records a new session; `already_exists` if the id is taken.
    func create(_ session: ShellSession) async throws

    /// Adds to a session's byte counters and operations in one cheap write (callers batch).
    func addUsage(sessionID: String, bytesIn: Int64, bytesOut: Int64, operations: Set<ShellOperation>) async throws

    /// Marks a session ended at `at`; the first end time wins.
    func end(sessionID: String, at: Date) async throws

    /// One session.
    func get(sessionID: String) async throws -> ShellSession

    /// `username`'s sessions, newest first, optionally only for `workspace`, at most `limit`.
    func list(username: String, workspace: String?, limit: Int?) async throws -> [ShellSession]

    /// Sessions that ended at or before `cutoff` (for the tidier), oldest first.
    func ended(before cutoff: Date) async throws -> [ShellSession]

    /// Deletes one session record; deleting a missing one is not an error.
    func delete(sessionID: String) async throws
}
