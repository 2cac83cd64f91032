import CubicleModel
import Foundation
import Store

/// Writes job events to the store and wakes whoever follows a job (server-sent events) — the one
/// place a job's trail grows, so followers never poll.
public final class JobTrail: Sendable {
    private let jobs: any JobStore
    private let time: any TimeSource
    /// Bumped whenever a job's trail grows or it completes.
    public let changes = ChangeNotifier<String>()

    /// Creates a trail over the store's jobs.
    public init(jobs: any JobStore, time: any TimeSource) {
        self.jobs = jobs
        self.time = time
    }

    /// Appends one entry to a job.
    @discardableResult
    public func record(_ entry: TrailEntry, to jobID: String) async throws -> JobEvent {
        let event = try await jobs.appendEvent(
            NewJobEvent(
                type: entry.type, timestamp: time.now, objectName: entry.objectName, message: entry.message,
                status: entry.status),
            to: jobID)
        changes.bump(jobID)
        return event
    }

    /// Completes a job with its result.
    @discardableResult
    public func complete(_ jobID: String, result: JobResult) async throws -> Job {
        let job = try await jobs.complete(id: jobID, result: result, at: time.now)
        changes.bump(jobID)
        return job
    }
}
