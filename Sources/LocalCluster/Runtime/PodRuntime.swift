#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel
import Logging
import Synchronization

/// The process kubelet's container runtime: builds pod sandboxes (namespaces, overlay root,
/// volumes, cgroups) and starts containers in them as real processes on this machine.
///
/// Call `recoverLeftovers()` once at start, before creating sandboxes, to remove what a previous
/// run left behind.
public final class PodRuntime: Sendable {
    /// Where the runtime keeps its script and sandbox records (under the cluster's data dir).
    public let stateRoot: String
    let hiddenPaths: [String]
    let timeSource: any TimeSource
    let logger: Logger
    private let configuredSupport: SandboxSupport?
    private let state = Mutex(State())

    private struct State {
        var prepared: Prepared?
        var live: [String: PodSandbox] = [:]
        var reserved: Set<String> = []
    }

    /// What `prepare` establishes once.
    struct Prepared: Sendable {
        /// The canonical state root.
        var stateRoot: String
        /// The sandbox script's path.
        var script: String
        /// Where sandbox records live.
        var records: String
        /// What the host supports.
        var support: SandboxSupport
        /// Distinguishes this state root's cgroups from another runtime's on the same host.
        var runtimeID: String
        /// Paths hidden from every pod (the data dir, the state root).
        var hidden: [String]

        /// The cgroup path (relative to each hierarchy's base) of all this runtime's pods.
        var cgroupRoot: String { "cubicle-\(runtimeID)" }
    }

    /// Creates a runtime. `hiddenPaths` (typically Cubicle's whole data directory) are covered by an
    /// empty tmpfs inside every pod, as are `stateRoot` and each pod's own directory. `support`
    /// skips the host probe (tests force a mode with it).
    public init(
        stateRoot: String, hiddenPaths: [String] = [], support: SandboxSupport? = nil,
        timeSource: any TimeSource = SystemTimeSource(), logger: Logger
    ) {
        self.stateRoot = stateRoot
        self.hiddenPaths = hiddenPaths
        self.configuredSupport = support
        self.timeSource = timeSource
        self.logger = logger
    }

    /// What this host supports (probed on first use).
    public func support() async throws(RuntimeError) -> SandboxSupport {
        try await prepare().support
    }

    /// The running sandbox of a pod, if any.
    public func sandbox(forPod uid: String) -> PodSandbox? {
        state.withLock { $0.live[uid] }
    }

    /// Builds and starts a pod's sandbox; returns once its infra process holds the namespaces.
    public func createSandbox(_ spec: SandboxSpec) async throws(RuntimeError) -> PodSandbox {
        try SpecValidation.check(spec)
        let prepared = try await prepare()
        if case .unavailable(let reason) = prepared.support.isolation {
            throw .sandboxUnavailable(reason)
        }
        let reserved = state.withLock { state in
            guard state.live[spec.podUID] == nil, !state.reserved.contains(spec.podUID) else { return false }
            state.reserved.insert(spec.podUID)
            return true
        }
        guard reserved else {
            throw RuntimeError(.alreadyExists, "pod \(spec.namespace)/\(spec.name) (\(spec.podUID)) already has a sandbox")
        }
        do {
            let sandbox = try await PodSandbox.launch(spec, prepared: prepared, runtime: self)
            state.withLock { state in
                state.reserved.remove(spec.podUID)
                state.live[spec.podUID] = sandbox
            }
            return sandbox
        } catch {
            _ = state.withLock { $0.reserved.remove(spec.podUID) }
            throw error
        }
    }

    /// Called by a sandbox once it has stopped.
    func forget(_ uid: String) {
        _ = state.withLock { $0.live.removeValue(forKey: uid) }
    }

    /// Whether a pod uid belongs to a sandbox this runtime object is running or creating.
    func isActive(_ uid: String) -> Bool {
        state.withLock { $0.live[uid] != nil || $0.reserved.contains(uid) }
    }

    /// Creates the state root, installs the script and probes the host, once.
    func prepare() async throws(RuntimeError) -> Prepared {
        if let prepared = state.withLock({ $0.prepared }) { return prepared }
        let stateRoot = stateRoot, hiddenPaths = hiddenPaths
        let located: Result<(String, [String]), RuntimeError> = await RuntimeWorker.shared.run {
            // Traversable but not listable: an unprivileged sandbox user must reach the script.
            if let code = FileIO.makeDirectories(stateRoot, mode: 0o711) {
                return .failure(RuntimeError(.io, "cannot create the runtime state directory \(stateRoot): \(LinuxCalls.describe(code))"))
            }
            guard let canonical = FileIO.realPath(stateRoot) else {
                return .failure(RuntimeError(.io, "cannot resolve \(stateRoot)"))
            }
            if let code = FileIO.makeDirectories(canonical + "/sandboxes", mode: 0o700)
                ?? FileIO.writeAtomically(SandboxScript.text, to: canonical + "/" + SandboxScript.fileName, mode: 0o755) {
                return .failure(RuntimeError(.io, "cannot install the sandbox script in \(canonical): \(LinuxCalls.describe(code))"))
            }
            let hidden = [canonical] + hiddenPaths.compactMap { FileIO.realPath($0) }
            return .success((canonical, hidden))
        }
        let (canonical, hidden) = try located.get()
        try SpecValidation.checkOverlaySafe(canonical, what: "state root")
        let support: SandboxSupport
        if let configuredSupport {
            support = configuredSupport
        } else {
            support = await SandboxSupport.probe(workDirectory: canonical)
        }
        let prepared = Prepared(
            stateRoot: canonical, script: canonical + "/" + SandboxScript.fileName, records: canonical + "/sandboxes",
            support: support, runtimeID: Self.runtimeID(for: canonical), hidden: Array(Set(hidden)).sorted())
        return state.withLock { state in
            if let existing = state.prepared { return existing }
            state.prepared = prepared
            logger.info("pod runtime ready", metadata: ["stateRoot": "\(canonical)", "support": "\(support)"])
            return prepared
        }
    }

    /// A short stable id of a state root (FNV-1a), used in cgroup names.
    static func runtimeID(for path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
