#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel
import Logging
import Synchronization

/// How a sandbox was built, for the pod's status and the operator.
public struct SandboxStatus: Sendable, Hashable {
    /// The isolation it runs with.
    public var isolation: SandboxSupport.Isolation
    /// The cgroup interface in use for it (`unavailable` when it runs without limits).
    public var cgroups: CgroupMode
    /// Whether the pod's and its containers' limits are enforced.
    public var limitsEnforced: Bool
    /// Anything worth telling a person, e.g. "cgroups unavailable: …; running without limits".
    public var notes: [String]
}

/// A running pod sandbox: the infra process holding the pod's mount, PID and UTS namespaces,
/// into which containers are started. Like CRI's PodSandbox.
public final class PodSandbox: Sendable {
    /// The spec it was built from.
    public let spec: SandboxSpec
    /// How it was built.
    public let status: SandboxStatus
    /// The host pid of the sandbox's pid 1 (the namespace holder).
    public var infraPID: Int32 { infra.pid }

    let paths: SandboxPaths
    let support: SandboxSupport
    let tools: SandboxTools
    let launcher: RuntimeChild
    let infra: SandboxRecord.ProcessIdentity
    let pidNamespace: String
    let cgroup: CgroupNode?
    let recordFile: String
    let timeSource: any TimeSource
    let logger: Logger
    let onStopped: @Sendable (String) -> Void
    let rmTree: @Sendable (String) async -> Void
    let state = Mutex(State())

    struct State {
        var containers: [String: ContainerHandle] = [:]
        var starting: Set<String> = []
        var phase = Phase.running
    }

    enum Phase {
        case running
        case stopping(waiters: [CheckedContinuation<Void, Never>])
        case stopped
    }

    init(
        spec: SandboxSpec, status: SandboxStatus, paths: SandboxPaths, support: SandboxSupport, tools: SandboxTools,
        launcher: RuntimeChild, infra: SandboxRecord.ProcessIdentity, pidNamespace: String, cgroup: CgroupNode?,
        recordFile: String, timeSource: any TimeSource, logger: Logger, onStopped: @escaping @Sendable (String) -> Void
    ) {
        self.spec = spec
        self.status = status
        self.paths = paths
        self.support = support
        self.tools = tools
        self.launcher = launcher
        self.infra = infra
        self.pidNamespace = pidNamespace
        self.cgroup = cgroup
        self.recordFile = recordFile
        self.timeSource = timeSource
        self.logger = logger
        self.onStopped = onStopped
        let rm = tools.rm
        self.rmTree = { path in _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", path]) }
    }

    /// Whether the sandbox is running: not stopped, and its infra process is alive.
    public var isAlive: Bool {
        let running = state.withLock { if case .running = $0.phase { true } else { false } }
        return running && !launcher.hasExited
    }

    /// The most recently started container with this name.
    public func container(named name: String) -> ContainerHandle? {
        state.withLock { $0.containers[name] }
    }

    /// The directory container logs are written to (`<name>.log`).
    public var logDirectory: String { paths.logs }

    /// Whether the sandbox uses a user namespace (containers are entered through `nsenter -U`).
    var usesUserNamespace: Bool {
        if case .userNamespace = support.isolation { true } else { false }
    }
}
