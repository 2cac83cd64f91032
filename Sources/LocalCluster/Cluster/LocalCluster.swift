import CubicleModel
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The embedded Kubernetes API server: `start()` loads (or creates) the data dir — objects, CA,
/// signing keys — and listens on loopback; `shutdown()` closes every connection and flushes
/// state. While running it offers the kubelet-facing API, the fault hooks, and credentials.
public final class LocalCluster: Sendable {
    /// What a running cluster is made of.
    struct Runtime: Sendable {
        let address: LocalClusterAddress
        let registry: Registry
        let server: HTTPServer
        let persister: SnapshotPersister
        let authority: CertificateAuthority
        let faults: ClusterFaults
        let kubelet: ClusterKubeletAPI
        let processKubelet: Kubelet?
    }

    private enum State {
        case idle
        case starting
        case running(Runtime)
        case stopped
    }

    /// The configuration the cluster was created with.
    public let configuration: LocalClusterConfiguration
    private let state = Mutex(State.idle)

    /// A cluster that will run with `configuration` once started.
    public init(configuration: LocalClusterConfiguration) {
        self.configuration = configuration
    }

    /// Loads the data dir, binds the listener and starts serving; returns where it listens.
    public func start() async throws -> LocalClusterAddress {
        let canStart = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard canStart else { throw LocalClusterError.setup("the cluster has already been started") }
        do {
            let runtime = try await makeRuntime()
            state.withLock { $0 = .running(runtime) }
            configuration.logger.info("local cluster listening", metadata: ["url": "\(runtime.address.url)"])
            return runtime.address
        } catch {
            state.withLock { $0 = .idle }
            throw error
        }
    }

    /// Stops serving: stops every pod's processes (the pods stay), closes the listener and every
    /// connection (open watches are cut), then waits for the state to be on disk. Idempotent.
    public func shutdown() async {
        let runtime: Runtime? = state.withLock { state in
            guard case .running(let runtime) = state else { return nil }
            state = .stopped
            return runtime
        }
        guard let runtime else { return }
        await runtime.processKubelet?.shutdown()
        runtime.faults.clear()
        runtime.registry.store.endAllWatches()
        await runtime.server.shutdown()
        runtime.persister.scheduleWrite(of: runtime.registry.store)
        await runtime.persister.flush()
    }

    /// Where the running cluster listens, or nil.
    public var address: LocalClusterAddress? { runningRuntime?.address }

    /// The fault hooks of the running cluster.
    public var faults: ClusterFaults {
        get throws { try runtime().faults }
    }

    /// The kubelet-facing API of the running cluster.
    public var kubelet: any KubeletAPI {
        get throws { try runtime().kubelet }
    }

    /// The process kubelet of the running cluster (nil when configured without one).
    public var processKubelet: Kubelet? {
        get throws { try runtime().processKubelet }
    }

    /// How many watch streams are open (over HTTP and in process), for tests of clean-up.
    public var openWatchCount: Int {
        get throws { try runtime().registry.store.openWatchCount }
    }

    /// The cluster CA certificate (PEM), for clients that verify the server.
    public var certificateAuthorityPEM: String {
        get throws { try runtime().authority.certificatePEM }
    }

    /// A client certificate for `user` in `groups`, signed by the cluster CA (tests, extra users).
    public func issueClientCertificate(
        user: String, groups: [String] = [], validFor seconds: Double = 365 * 86_400
    ) throws -> PEMCredentials {
        try runtime().authority.issueClientCertificate(user: user, groups: groups, validity: seconds)
    }

    /// A kubeconfig (YAML) for the running cluster with a fresh client certificate for `user`
    /// (context `cubicle-local`, namespace `default`); plain-HTTP clusters get no credentials.
    public func kubeconfig(user: String = "admin", groups: [String] = ["system:masters"]) throws -> String {
        let runtime = try runtime()
        var credentials: PEMCredentials?
        if configuration.tls {
            credentials = try runtime.authority.issueClientCertificate(user: user, groups: groups, validity: 365 * 86_400)
        }
        return Kubeconfig.render(
            server: runtime.address.url, certificateAuthorityPEM: configuration.tls ? runtime.authority.certificatePEM : nil,
            user: user, credentials: credentials
        )
    }

    /// Writes `kubeconfig(user:groups:)` to `path` (mode 0600) from the persistence thread.
    public func writeKubeconfig(to path: String, user: String = "admin", groups: [String] = ["system:masters"]) async throws {
        let document = try kubeconfig(user: user, groups: groups)
        try await runtime().persister.perform { () throws(LocalClusterError) in
            try AtomicFile.write(Array(document.utf8), to: path, mode: 0o600)
        }
    }

    private var runningRuntime: Runtime? {
        state.withLock { state in
            guard case .running(let runtime) = state else { return nil }
            return runtime
        }
    }

    private func runtime() throws(LocalClusterError) -> Runtime {
        guard let runtime = runningRuntime else { throw .setup("the local cluster is not running") }
        return runtime
    }
}
