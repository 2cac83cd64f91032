import Foundation

/// What a job does to a workspace.
public enum JobAction: String, Codable, Sendable, Hashable, CaseIterable {
    case provision, start, stop, delete
}

/// Whether a job is still going.
public enum JobStatus: String, Codable, Sendable, Hashable {
    case running, completed
}

/// How a completed job ended.
public enum JobResult: String, Codable, Sendable, Hashable {
    case succeeded, failed
}

/// The kind of a job event: a stage change, a Kubernetes event, or a progress percentage.
public enum JobEventType: String, Codable, Sendable, Hashable {
    case status, event, progress
}

/// One entry in a job's trail; ids count 1, 2, 3… per job.
public struct JobEvent: Codable, Sendable, Hashable {
    /// Position in the job's trail, from 1.
    public var id: Int
    /// What kind of event this is.
    public var type: JobEventType
    /// When it happened.
    public var timestamp: Date
    /// The object it is about, as `Kind/name` (`Pod/alice-59936c3`).
    public var objectName: String
    /// A line for people.
    public var message: String
    /// The stage for `status` events, the severity (`Normal`, `Warning`, `Critical`) for `event`s,
    /// the percentage for `progress` events.
    public var status: String

    /// Creates an event.
    public init(id: Int, type: JobEventType, timestamp: Date, objectName: String, message: String, status: String) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.objectName = objectName
        self.message = message
        self.status = status
    }
}

/// A provisioning job: one action on one workspace, its trail of events, and its expiry.
public struct Job: Codable, Sendable, Hashable {
    /// A UUID.
    public var id: String
    /// The workspace acted on.
    public var workspaceName: String
    /// The owner of the workspace.
    public var username: String
    /// What the job does.
    public var action: JobAction
    /// Running or completed.
    public var status: JobStatus
    /// Set once completed.
    public var result: JobResult?
    /// When the job was created.
    public var createdAt: Date
    /// When the job last changed.
    public var updatedAt: Date
    /// When the job completed.
    public var finishedAt: Date?
    /// When the job will be forgotten (set once completed).
    public var expiresAt: Date?
    /// The trail.
    public var events: [JobEvent]
    /// The blueprint a provision or start renders (nil for stop and delete).
    public var blueprint: String?

    /// Creates a running job with no events.
    public init(
        id: String, workspaceName: String, username: String, action: JobAction, createdAt: Date, blueprint: String? = nil
    ) {
        self.blueprint = blueprint
        self.id = id
        self.workspaceName = workspaceName
        self.username = username
        self.action = action
        self.status = .running
        self.result = nil
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.finishedAt = nil
        self.expiresAt = nil
        self.events = []
    }
}
