import App
import ArgumentParser
import Foundation
import LocalCluster
import Logging

/// `cubicle serve`: the API server, on the embedded cluster unless a cluster is configured.
struct ServeSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Cubicle API server (embedded cluster unless a kubeconfig or service account is configured)."
    )

    @Option(help: "host:port for the API (env CUBICLE_LISTEN).")
    var listen = ProcessInfo.processInfo.environment["CUBICLE_LISTEN"] ?? "127.0.0.1:8080"

    @Option(name: .customLong("data-dir"), help: "Store, admin token and embedded cluster (env CUBICLE_DATA_DIR).")
    var dataDir = ProcessInfo.processInfo.environment["CUBICLE_DATA_DIR"] ?? ".cubicle"

    @Option(name: .customLong("blueprints"), help: "The blueprint directory, watched for changes.")
    var blueprints = ProcessInfo.processInfo.environment["CUBICLE_BLUEPRINTS"] ?? "blueprints"

    @Option(name: .customLong("workspace-dir"), help: "The directory with the workspace scripts.")
    var workspaceDir = ProcessInfo.processInfo.environment["CUBICLE_WORKSPACE_DIR"] ?? "workspace"

    @Option(help: "A kubeconfig file (else KUBECONFIG, ~/.kube/config, the in-cluster service account, then the embedded cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context.")
    var context: String?

    @Option(help: "The namespace for workspaces (default: the kubeconfig's, or the service account's namespace file).")
    var namespace: String?

    @Option(
        name: .customLong("server-namespace"),
        help: "kubernetes.serverNamespace: the namespace Cubicle runs in when workspaces live elsewhere (env CUBICLE_SERVER_NAMESPACE).")
    var serverNamespace: String?

    @Option(
        name: .customLong("service-account-dir"),
        help: "kubernetes.serviceAccountDirectory: the in-cluster service account mount (token, ca.crt, namespace).")
    var serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

    @Flag(help: "Use the embedded cluster even if a kubeconfig exists.")
    var embedded = false

    @Option(help: "Embedded kubelet: process (real pods) or instant (no processes; benchmarks).")
    var kubelet = "process"

    @Option(name: .customLong("job-ttl"), help: "Seconds finished jobs are kept.")
    var jobTTL = 600.0

    @Option(name: .customLong("instant-delay"), help: "With --kubelet instant: seconds before a pod is reported Running.")
    var instantDelay = 0.0

    @Option(name: .customLong("provision-timeout"), help: "Seconds a provision may take before it fails naming its stage.")
    var provisionTimeout = 300.0

    @Option(
        name: .customLong("pod-address-blocks"),
        help: "Embedded kubelet: the third octets x of pod addresses 127.77.x.y, as N or N-M.")
    var podAddressBlocks = "0-249"

    @Option(name: .customLong("max-upload-bytes"), help: "The largest file an upload may carry, in bytes (config files.maxUploadBytes).")
    var maxUploadBytes: Int64 = 10 << 30

    @Option(name: .customLong("http-header-timeout"), help: "http.headerTimeout: seconds a connection may take to send a request head (0: no limit).")
    var httpHeaderTimeout: Double = 30

    @Option(name: .customLong("http-idle-timeout"), help: "http.idleTimeout: seconds a kept-alive connection may sit idle between requests (0: no limit).")
    var httpIdleTimeout: Double = 75

    @Option(
        name: .customLong("shutdown-grace"),
        help: "Seconds a graceful shutdown (SIGTERM) may take before what still runs is cancelled; keep it under the pod's terminationGracePeriodSeconds.")
    var shutdownGrace: Double = 10

    @Option(name: .customLong("shell-detach-ttl"), help: "shells.detachTTL: seconds a TTY shell outlives its WebSocket.")
    var shellDetachTTL = 300.0

    @Flag(name: .customLong("record-all-sessions"), help: "Record every shell as asciicast, not only recordSessions blueprints.")
    var recordAllSessions = false

    @Flag(name: .customLong("record-shell-input"), help: "shells.recordInput: recordings include what users typed.")
    var recordShellInput = false

    @Option(name: .customLong("log-level"), help: "trace, debug (every request, without query or headers), info, notice, warning, error.")
    var logLevel = "info"

    @Option(
        name: .customLong("workspace-api-url"),
        help: "workspaces.apiURL: the URL workspace processes reach the API at (default: the listen address).")
    var workspaceAPIURL: String?

    @Flag(name: .customLong("metrics-public"), help: "metrics.public: GET /metrics answers without a token (in-cluster Prometheus).")
    var metricsPublic = false

    @Option(help: "A YAML config file (auth.providers, auth.staticUsers, auth.sessionTTL, …); unknown keys stop the start.")
    var config: String?

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cubicle")
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be host:port, got \(listen)")
        }
        guard provisionTimeout > 0, provisionTimeout.isFinite, jobTTL >= 0, jobTTL.isFinite, instantDelay >= 0, instantDelay.isFinite else {
            throw ValidationError("--provision-timeout must be positive; --job-ttl and --instant-delay not negative")
        }
        guard let mode = ServerConfiguration.KubeletMode(rawValue: kubelet) else {
            throw ValidationError("--kubelet must be process or instant")
        }
        var configuration = ServerConfiguration(
            host: String(listen[..<colon]), port: port, dataDirectory: dataDir, blueprintsDirectory: blueprints,
            workspaceDirectory: workspaceDir, kubeconfig: kubeconfig, context: context, forceEmbedded: embedded,
            namespace: namespace, jobTTL: jobTTL, kubelet: mode,
            podAddressBlocks: try KubeletConfiguration.parseAddressBlocks(podAddressBlocks), provisionTimeout: provisionTimeout)
        configuration.maxUploadBytes = maxUploadBytes
        configuration.httpHeaderTimeout = httpHeaderTimeout
        configuration.httpIdleTimeout = httpIdleTimeout
        guard shutdownGrace > 0, shutdownGrace.isFinite else { throw ValidationError("--shutdown-grace must be positive") }
        configuration.shutdownGracePeriod = shutdownGrace
        configuration.instantKubeletDelay = instantDelay
        configuration.shellDetachTTL = shellDetachTTL
        configuration.recordAllSessions = recordAllSessions
        configuration.recordShellInput = recordShellInput
        configuration.workspaceAPIURL = workspaceAPIURL
        configuration.metricsPublic = metricsPublic
        if let config {
            do {
                configuration.file = try await Offload.run { try ConfigFile.load(path: config) }
            } catch let error as ConfigError {
                throw ValidationError("\(config): \(error.description)")
            }
        }
        configuration.serviceAccountDirectory = serviceAccountDir
        configuration.serverNamespace = serverNamespace ?? ProcessInfo.processInfo.environment["CUBICLE_SERVER_NAMESPACE"]
        try await CubicleServer.run(configuration, logger: logger)
    }
}
