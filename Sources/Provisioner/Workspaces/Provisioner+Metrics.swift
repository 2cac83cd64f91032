import Blueprints
import CubicleMetrics
import CubicleModel
import KubeClient

extension Provisioner {
    /// How many workspaces are in each status, from the shared observer's view alone (no store
    /// reads, so a scrape stays cheap with many workspaces; a pod-less workspace whose last start
    /// failed counts as Stopped here, where the API would say Error).
    public func workspaceStatusCounts() -> [WorkspaceStatus: Int] {
        var counts: [WorkspaceStatus: Int] = [:]
        let now = time.now
        for name in observer.workspaceNames() {
            let snapshot = observer.snapshot(of: name)
            guard snapshot.anchor != nil || snapshot.pod != nil else { continue }
            var status = WorkspaceStatus.stopped
            if let pod = snapshot.pod {
                let stopRequested = pod.metadata.annotations?[WorkspaceKeys.stopRequestedAnnotation] != nil
                status = StageDeriver().derive(pod: pod, events: snapshot.events, stopRequested: stopRequested, now: now).stage.workspaceStatus
            }
            if let job = activeJob(for: name), job.status == .running {
                switch job.action {
                case .stop where status != .stopped: status = .stopping
                case .delete: status = .terminating
                default: break
                }
            }
            counts[status, default: 0] += 1
        }
        return counts
    }

    /// Adds the `cubicle_workspaces{status}` gauge to `registry`, computed at every scrape.
    static func registerWorkspaceGauge(in registry: MetricsRegistry, _ counts: @escaping @Sendable () -> [WorkspaceStatus: Int]) {
        registry.addCollector {
            let counts = counts()
            return [CollectedFamily(
                name: "cubicle_workspaces", help: "Workspaces by status, as the cluster watch sees them now.", type: .gauge,
                samples: WorkspaceStatus.allCases.map { .init(labels: [("status", $0.rawValue)], value: Double(counts[$0] ?? 0)) })]
        }
    }
}
