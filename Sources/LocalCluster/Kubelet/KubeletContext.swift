import CubicleModel
import Logging

/// What the kubelet shares with its pod workers.
struct KubeletContext: Sendable {
    let api: any KubeletAPI
    let runtime: PodRuntime
    let addresses: PodAddressAllocator
    let configuration: KubeletConfiguration
    /// `<pods dir>/<uid>` is each pod's directory.
    let podsDirectory: String
    /// `<claims dir>/<namespace>/<claim>` is each claim's directory.
    let claimsDirectory: String
    let timeSource: any TimeSource
    let logger: Logger
}

/// One thing that happened to a pod, delivered to its worker in order.
enum PodWorkerInput: Sendable {
    /// The pod object changed (or was seen again on a resync).
    case podChanged(JSONValue)
    /// The pod object is gone from the API server.
    case podDeleted(JSONValue)
    /// Try again to prepare the pod (a mount or the sandbox failed before).
    case retryPreparation
    /// A container's process ended.
    case containerExited(container: String, generation: Int, exit: ContainerExit)
    /// A lifecycle timer fired.
    case timer(PodLifecycle.Timer, container: String, generation: Int)
    /// A readiness probe changed its verdict.
    case readiness(container: String, generation: Int, ready: Bool)
    /// The kubelet is shutting down: stop the pod's processes, keep the pod.
    case shutdown
}
