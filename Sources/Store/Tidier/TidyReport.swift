/// Files that belong to records the tidier is about to delete; the files layer removes them.
public struct ExpiredFiles: Sendable, Hashable {
    /// Expired uploads: their `tempPath`s are left-over partial files.
    public var uploads: [Upload]
    /// Recordings of shell sessions past retention.
    public var recordingPaths: [String]

    /// Creates the list.
    public init(uploads: [Upload], recordingPaths: [String]) {
        self.uploads = uploads
        self.recordingPaths = recordingPaths
    }

    /// True when there is nothing to remove.
    public var isEmpty: Bool { uploads.isEmpty && recordingPaths.isEmpty }
}

/// What one tidying pass deleted.
public struct TidyReport: Sendable, Hashable {
    /// Expired jobs deleted.
    public var jobs = 0
    /// Expired web sessions deleted.
    public var webSessions = 0
    /// Expired login states and CLI handoffs deleted.
    public var loginStates = 0
    /// Expired uploads deleted (after their files were handed over).
    public var uploads = 0
    /// Shell sessions past retention deleted (after their recordings were handed over).
    public var shellSessions = 0

    /// An empty report.
    public init() {}

    /// The total number of records deleted.
    public var total: Int { jobs + webSessions + loginStates + uploads + shellSessions }
}
