import Foundation

/// Everything `cubicle serve` can be told, from flags, environment or defaults.
public struct ServerConfiguration: Sendable {
    /// How the embedded cluster runs pods.
    public enum KubeletMode: String, Sendable, CaseIterable {
        /// Real processes in sandboxes: sshd and all.
        case process
        /// No processes: pods are reported Ready at once (benchmarks, control-plane tests).
        case instant
    }

    /// Address the API listens on.
    public var host: String
    /// Port the API listens on (0 picks one).
    public var port: Int
    /// Where the store, the admin token and the embedded cluster live.
    public var dataDirectory: String
    /// The blueprint directory (watched).
    public var blueprintsDirectory: String
    /// The directory with the workspace scripts (`bootstrap`, `sshd_config`, `agent`).
    public var workspaceDirectory: String
    /// An explicit kubeconfig (else `KUBECONFIG`, `~/.kube/config`, in-cluster, then embedded).
    public var kubeconfig: String?
    /// The kubeconfig context.
    public var context: String?
    /// Always use the embedded cluster, even when a kubeconfig exists.
    public var forceEmbedded: Bool
    /// The namespace workspaces live in (default: the kubeconfig's, else `default`).
    public var namespace: String?
    /// How long finished jobs are kept, in seconds.
    public var jobTTL: Double
    /// How the embedded cluster's kubelet runs pods.
    public var kubelet: KubeletMode
    /// The x of the embedded cluster's pod addresses 127.77.x.y.
    public var podAddressBlocks: ClosedRange<Int>
    /// The overall provisioning timeout in seconds.
    public var provisionTimeout: Double
    /// The environment (for kubeconfig discovery).
    public var environment: [String: String]
    /// With the instant kubelet: seconds between binding a pod and reporting it Running.
    public var instantKubeletDelay: Double = 0
    /// The largest file an upload may carry, in bytes (`files.maxUploadBytes`).
    public var maxUploadBytes: Int64 = 10 << 30
    /// Seconds a connection may take to send a complete request head (`http.headerTimeout`).
    public var httpHeaderTimeout: Double = 30
    /// Seconds a kept-alive connection may sit idle between requests (`http.idleTimeout`).
    public var httpIdleTimeout: Double = 75
    /// Seconds a graceful shutdown may take (requests in flight finish, open event streams and
    /// log follows end) before what still runs is cancelled.
    public var shutdownGracePeriod: Double = 10
    /// `shells.detachTTL`: seconds a TTY shell outlives its WebSocket.
    public var shellDetachTTL: Double = 300
    /// Record every shell, not only those of blueprints with `recordSessions: true`.
    public var recordAllSessions = false
    /// `shells.recordInput`: recordings include what users typed.
    public var recordShellInput = false
    /// `metrics.public`: `GET /metrics` answers without a token (else an admin's credential).
    public var metricsPublic = false
    /// What `--config FILE` says (`auth.*`).
    public var file: ConfigFile = ConfigFile()
    /// Where the in-cluster service account (`token`, `ca.crt`, `namespace`) is mounted.
    public var serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The namespace the server runs in, when workspaces live elsewhere (their NetworkPolicies
    /// then admit Cubicle's pods from this namespace).
    public var serverNamespace: String?
    /// `workspaces.apiURL`: the URL processes inside workspaces reach the API at (credential
    /// helpers); nil derives `http://<listen address>:<bound port>` (0.0.0.0 as 127.0.0.1).
    public var workspaceAPIURL: String?

    /// A configuration with defaults relative to the current directory.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = ".cubicle", blueprintsDirectory: String = "blueprints",
        workspaceDirectory: String = "workspace", kubeconfig: String? = nil, context: String? = nil, forceEmbedded: Bool = false,
        namespace: String? = nil, jobTTL: Double = 600, kubelet: KubeletMode = .process, podAddressBlocks: ClosedRange<Int> = 0...249, provisionTimeout: Double = 300,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.blueprintsDirectory = blueprintsDirectory
        self.workspaceDirectory = workspaceDirectory
        self.kubeconfig = kubeconfig
        self.context = context
        self.forceEmbedded = forceEmbedded
        self.namespace = namespace
        self.jobTTL = jobTTL
        self.kubelet = kubelet
        self.podAddressBlocks = podAddressBlocks
        self.provisionTimeout = provisionTimeout
        self.environment = environment
    }

    /// Where shell recordings are written.
    public var recordingDirectory: String { (dataDirectory as NSString).appendingPathComponent("recordings") }

    /// The admin token file inside the data directory.
    public var adminTokenPath: String { (dataDirectory as NSString).appendingPathComponent("admin-token") }
}
