import API
import Blueprints
import CubicleMetrics
import CubicleModel
import Foundation
import Hummingbird
import HummingbirdWebSocket
import KubeClient
import LocalCluster
import Logging
import Provisioner
import ServiceLifecycle
import SSHClient
import Store

/// Wires Cubicle together: the store, the cluster (a kubeconfig, the in-cluster service account,
/// or the embedded `LocalCluster`), the blueprint watcher, the provisioner and the HTTP API, and
/// runs them as one `ServiceGroup` until cancelled or SIGINT/SIGTERM.
public enum CubicleServer {
    /// Where a started server listens.
    public struct Ready: Sendable {
        /// The API's base URL, e.g. `http://127.0.0.1:8080`.
        public var url: String
        /// The port the API bound.
        public var port: Int
        /// The admin token file, when this start created it.
        public var adminTokenPath: String?
        /// The kubeconfig of the embedded cluster, when one runs.
        public var embeddedKubeconfig: String?
        /// The embedded cluster, when one runs (tests reach its fault hooks through it).
        public var embeddedCluster: LocalCluster?
    }

    /// Makes the logger of one part of the server from its label (`cubicle.api`, `cubicle.kube`…).
    public typealias LoggerFactory = @Sendable (String) -> Logger

    /// Runs the server; `onReady` is called once the API accepts connections. Every part logs
    /// through `makeLogger` (default: the process's logging system), so an embedder sees it all.
    public static func run(
        _ configuration: ServerConfiguration, logger: Logger, handleSignals: Bool = true,
        onReady: @escaping @Sendable (Ready) -> Void = { _ in },
        makeLogger: @escaping LoggerFactory = { Logger(label: $0) }
    ) async throws {
        let time = SystemTimeSource()
        let metrics = MetricsRegistry()
        ProcessMetrics.register(in: metrics)
        try await Offload.run {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(
                atPath: configuration.recordingDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store = try await SQLiteStore.open(
            .init(path: (configuration.dataDirectory as NSString).appendingPathComponent(SQLiteStore.defaultFileName), jobTTL: configuration.jobTTL),
            time: time)
        var cluster: LocalCluster?
        var client: KubeClient?
        var reactor: SSHReactor?
        var connector: WorkspaceConnector?
        var shells: ShellRegistry?
        var curl: CurlReactor?
        do {
            let adminToken = try await AdminBootstrap.run(store: store, tokenPath: configuration.adminTokenPath, logger: logger)
            try await AuthBootstrap.applyStaticUsers(configuration.file.staticUsers, store: store, logger: logger)
            let keyring = try await AuthBootstrap.loadKeyring(dataDirectory: configuration.dataDirectory, now: time.now)
            var fetcher = HTTPFetcher.unavailable
            if !configuration.file.auth.providers.isEmpty {
                let reactor = try CurlReactor(logger: makeLogger("cubicle.oidc"))
                curl = reactor
                fetcher = AuthBootstrap.fetcher(reactor)
            }
            let credentialKey = try await AuthBootstrap.loadCredentialKey(dataDirectory: configuration.dataDirectory)
            let auth = AuthServices(settings: configuration.file.auth, keyring: keyring, credentialKey: credentialKey, fetcher: fetcher)
            let connection = try await ClusterConnection.open(configuration, logger: logger, makeLogger: makeLogger)
            cluster = connection.embedded
            let kube = try KubeClient(config: connection.config, logger: makeLogger("cubicle.kube"))
            client = kube
            let namespace = configuration.namespace ?? connection.config.namespace

            let watcher = BlueprintWatcher(directory: configuration.blueprintsDirectory, logger: makeLogger("cubicle.blueprints"))
            let status = await watcher.reload()
            logger.info("blueprints loaded", metadata: ["directory": "\(configuration.blueprintsDirectory)", "status": "\(status)", "names": "\(watcher.catalog.names)"])
            let scripts = try await WorkspaceScriptsLoader.load(from: configuration.workspaceDirectory)
            let initScripts = InitScriptReporter(logger: makeLogger("cubicle.provisioner"))
            let provisioner = Provisioner(
                client: kube, store: store,
                renderer: WorkspaceRenderer(scripts: scripts, options: RenderOptions(
                    serverNamespace: configuration.serverNamespace, apiURL: configuration.workspaceAPIURL)),
                catalog: { watcher.catalog },
                settings: ProvisionerSettings(
                    namespace: namespace, monitor: .init(timeout: configuration.provisionTimeout),
                    holderIdentity: ProcessInfo.processInfo.hostName),
                time: time, logger: makeLogger("cubicle.provisioner"),
                afterStart: { await initScripts.warnings(for: $0) }, metrics: metrics)
            let sshReactor = SSHReactor()
            reactor = sshReactor
            let workspaceConnector = WorkspaceConnector(provisioner: provisioner, pool: SSHSessionPool(reactor: sshReactor, options: Self.sshOptions))
            connector = workspaceConnector
            initScripts.attach(workspaceConnector)
            var dependencies = APIDependencies(
                store: store, provisioner: provisioner, catalog: { watcher.catalog },
                // Namespaced, so the health check needs nothing beyond the workspace Role (manifests/).
                clusterCheck: { _ = try await kube.list(Pod.self, namespace: namespace, options: ListOptions(limit: 1)) },
                connector: workspaceConnector, time: time, blueprintStatus: { watcher.status },
                shellSettings: ShellSettings(
                    detachTTL: configuration.shellDetachTTL, recordingDirectory: configuration.recordingDirectory,
                    recordAll: configuration.recordAllSessions, recordInput: configuration.recordShellInput),
                auth: auth, metrics: metrics, shellLogger: makeLogger("cubicle.shells"))
            dependencies.files.maxUploadBytes = configuration.maxUploadBytes
            dependencies.exec.wrapper = scripts.execWrapper
            dependencies.metrics.isPublic = configuration.metricsPublic
            shells = dependencies.shells
            let embeddedKubeconfig = connection.embedded == nil ? nil : connection.kubeconfigPath
            let app = Application(
                router: APIRouter.make(dependencies),
                server: APIRouter.webSocketServer(
                    dependencies, configuration: .init(maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(20))),
                    headTimeout: configuration.httpHeaderTimeout > 0 ? configuration.httpHeaderTimeout : nil,
                    idleTimeout: configuration.httpIdleTimeout > 0 ? configuration.httpIdleTimeout : nil),
                configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cubicle"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? configuration.port
                    let url = "http://\(configuration.host):\(port)"
                    logger.notice("Cubicle API listening on \(url)")
                    // Workspace processes (credential helpers) call back here unless told otherwise.
                    let wildcard = ["0.0.0.0", "::", ""].contains(configuration.host)
                    provisioner.useWorkspaceAPIURL("http://\(wildcard ? "127.0.0.1" : configuration.host):\(port)")
                    onReady(Ready(
                        url: url, port: port, adminTokenPath: adminToken, embeddedKubeconfig: embeddedKubeconfig,
                        embeddedCluster: connection.embedded))
                },
                logger: makeLogger("cubicle.api"))
            var services: [any ServiceLifecycle.Service] = [
                TaskService(name: "provisioner") { try await provisioner.run() },
                TaskService(name: "blueprints") { try await watcher.run() },
                StoreTidier(store: store, time: time, logger: makeLogger("cubicle.store.tidier"), removeFiles: { await workspaceConnector.removeAbandonedUploads($0.uploads) }),
                TaskService(name: "ssh") { try await workspaceConnector.run() },
            ]
            if let kubelet = connection.kubelet { services.append(TaskService(name: "kubelet") { await kubelet() }) }
            services.append(app)
            // Last, so stopped first: open shells end (their clients read why) before the HTTP
            // server waits for its connections to close.
            let openShells = dependencies.shells
            services.append(DrainService { openShells.shutdown() })
            var groupConfiguration = ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGracePeriod)
            try await Self.runUntilCancelled(ServiceGroup(configuration: groupConfiguration))
        } catch {
            shells?.shutdown()
            await curl?.shutdown()
            await shutdown(connector: connector, reactor: reactor, client: client, cluster: cluster, store: store)
            throw error
        }
        shells?.shutdown()
        await curl?.shutdown()
        await shutdown(connector: connector, reactor: reactor, client: client, cluster: cluster, store: store)
    }

    /// Runs the group to its end; cancelling the caller (how an embedder or a test stops the
    /// server) shuts it down gracefully, in reverse start order, as SIGTERM does. Cancelling the
    /// group itself would tear the HTTP server's listener down under its own graceful shutdown:
    /// Hummingbird then logged "Server shutdown error: Already closed" and "Waiting on child
    /// channel: CancellationError()" at error level on every stop. Services still running after
    /// the grace period are cancelled by the group.
    static func runUntilCancelled(_ group: ServiceGroup) async throws {
        let running = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await running.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// Shells are long-lived channels: allow many per workspace (the workspace sshd allows 256).
    static var sshOptions: SSHSessionOptions {
        var options = SSHSessionOptions()
        options.maxChannels = 128
        return options
    }

    private static func shutdown(
        connector: WorkspaceConnector?, reactor: SSHReactor?, client: KubeClient?, cluster: LocalCluster?, store: SQLiteStore
    ) async {
        await connector?.shutdown()
        await reactor?.shutdown()
        await client?.shutdown()
        await cluster?.shutdown()
        await store.close()
    }
}
