import CubicleMetrics
import CubicleModel
import Foundation

/// What the provisioner reports to `/metrics`: finished jobs by action and result, and how long
/// provisions and starts took from the accepted request (the job's creation) to Running.
struct JobMetrics: Sendable {
    let outcomes: MetricFamily<Counter>
    let durations: MetricFamily<Histogram>

    /// Registers the families in `registry`, every action and result at zero.
    init(registry: MetricsRegistry) {
        outcomes = registry.counter(
            "cubicle_jobs_total", help: "Finished jobs by action and result.", labels: ["action", "result"])
        durations = registry.histogram(
            "cubicle_provision_duration_seconds",
            help: "Seconds from an accepted provision or start request to the workspace running.",
            labels: ["action"], bounds: Histogram.provisionBounds)
        for action in JobAction.allCases {
            for result in [JobResult.succeeded, .failed] { _ = outcomes.labels(action.rawValue, result.rawValue) }
        }
        for action in [JobAction.provision, .start] { _ = durations.labels(action.rawValue) }
    }

    /// Counts a completed job; a successful provision or start also records its duration.
    func completed(_ job: Job, result: JobResult, at now: Date) {
        outcomes.labels(job.action.rawValue, result.rawValue).increment()
        guard result == .succeeded, job.action == .provision || job.action == .start else { return }
        durations.labels(job.action.rawValue).observe(max(0, now.timeIntervalSince(job.createdAt)))
    }
}
