import Foundation

/// What the kubelet knows about one container of a pod: its current state, its last
/// termination, restarts and readiness. A plain value the pod's state machine updates.
struct ContainerTrack: Sendable, Equatable {
    /// How a container run ended.
    struct Termination: Sendable, Equatable {
        var exitCode: Int32
        var reason: String
        var signal: Int32?
        var startedAt: Date
        var finishedAt: Date
    }

    /// The container's state, as `containerStatuses[].state` reports it.
    enum State: Sendable, Equatable {
        case waiting(reason: String, message: String?)
        case running(startedAt: Date)
        case terminated(Termination)
    }

    let name: String
    let image: String
    var state = State.waiting(reason: "ContainerCreating", message: nil)
    var lastTermination: Termination?
    var restartCount = 0
    var ready = false
    /// Consecutive failures (crashes or pull errors) since the last long run; drives back-off.
    var failures = 0
    /// Increases with every start attempt, so stale exits and timers can be told apart.
    var generation = 0
    /// Whether a restart or retry timer is pending.
    var awaitingRetry = false
    /// Set once a run has started; the id the status shows.
    var containerID: String?

    var isRunning: Bool {
        if case .running = state { true } else { false }
    }

    var isTerminated: Bool {
        if case .terminated = state { true } else { false }
    }
}
