import CubicleModel
import Foundation

/// An event to append to a job; the store assigns its id.
public struct NewJobEvent: Sendable, Hashable {
    /// What kind of event this is.
    public var type: JobEventType
    /// When it happened.
    public var timestamp: Date
    /// The object it is about, as `Kind/name`.
    public var objectName: String
    /// A line for people.
    public var message: String
    /// The stage, severity or percentage (see `JobEvent.status`).
    public var status: String

    /// Creates an event to append.
    public init(type: JobEventType, timestamp: Date, objectName: String, message: String, status: String) {
        self.type = type
        self.timestamp = timestamp
        self.objectName = objectName
        self.message = message
        self.status = status
    }
}

/// The events of a job after some id, with the job's state read in the same snapshot, so a
/// server-sent-events stream knows whether to end after sending them.
public struct JobEventSlice: Sendable, Hashable {
    /// The events, in id order.
    public var events: [JobEvent]
    /// The job's status when the events were read.
    public var status: JobStatus
    /// The job's result, once completed.
    public var result: JobResult?

    /// Creates a slice.
    public init(events: [JobEvent], status: JobStatus, result: JobResult?) {
        self.events = events
        self.status = status
        self.result = result
    }
}

/// Provisioning jobs and their event trails. A job that has expired answers `not_found` everywhere,
/// whether or not the tidier has deleted it yet.
public protocol JobStore: Sendable {
    /// Stores a new job (with any events it already carries); `already_exists` if the id is taken.
    func create(_ job: Job) async throws

    /// The job with all its events.
    func get(id: String) async throws -> Job

    /// Appends an event with the job's next event id (1, 2, 3…) and bumps `updatedAt`, atomically;
    /// `conflict` once the job has completed.
    func appendEvent(_ event: NewJobEvent, to jobID: String) async throws -> JobEvent

    /// The events with ids greater than `eventID` (0 for all), for `Last-Event-ID` resumption.
    func events(of jobID: String, after eventID: Int) async throws -> JobEventSlice

    /// Marks a running job completed at `at` with `result`; it expires one TTL later. Returns the
    /// completed job with its events; `conflict` if it had already completed.
    func complete(id: String, result: JobResult, at: Date) async throws -> Job

    /// Jobs still running, oldest first, for restart recovery. Lists leave `events` empty.
    func unfinished() async throws -> [Job]

    /// The unexpired jobs of a workspace, newest first, without their events.
    func jobs(forWorkspace workspaceName: String) async throws -> [Job]

    /// Deletes jobs whose expiry is at or before `now`; returns how many went.
    func deleteExpired(now: Date) async throws -> Int
}
