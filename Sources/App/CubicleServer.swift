import API
import Blueprints
import CubicleModel
import Foundation
import Hummingbird
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

    /// Runs the server; `onReady` is called once the API accepts connections.
    public static func run(
        _ configuration: ServerConfiguration, logger: Logger, handleSignals: Bool = true,
        onReady: @escaping @Sendable (Ready) -> Void = { _ in }
    ) async throws {
        let time = SystemTimeSource()
        try await Offload.run {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store = try await SQLiteStore.open(
            .init(path: (configuration.dataDirectory as NSString).appendingPathComponent(SQLiteStore.defaultFileName), jobTTL: configuration.jobTTL),
            time: time)
        var cluster: LocalCluster?
        var client: KubeClient?
        var reactor: SSHReactor?
        var connector: WorkspaceConnector?
        do {
            let adminToken = try await AdminBootstrap.run(store: store, tokenPath: configuration.adminTokenPath, logger: logger)
            let connection = try await ClusterConnection.open(configuration, logger: logger)
            cluster = connection.embedded
            let kube = try KubeClient(config: connection.config, logger: Logger(label: "cubicle.kube"))
            client = kube
            let namespace = configuration.namespace ?? connection.config.namespace

            let watcher = BlueprintWatcher(directory: configuration.blueprintsDirectory, logger: Logger(label: "cubicle.blueprints"))
            let status = await watcher.reload()
            logger.info("blueprints loaded", metadata: ["directory": "\(configuration.blueprintsDirectory)", "status": "\(status)", "names": "\(watcher.catalog.names)"])
            let scripts = try await WorkspaceScriptsLoader.load(from: configuration.workspaceDirectory)
            let provisioner = Provisioner(
                client: kube, store: store,
                renderer: WorkspaceRenderer(scripts: scripts, options: RenderOptions(serverNamespace: configuration.serverNamespace)),
                catalog: { watcher.catalog },
                settings: ProvisionerSettings(
                    namespace: namespace, monitor: .init(timeout: configuration.provisionTimeout),
                    holderIdentity: ProcessInfo.processInfo.hostName),
                time: time, logger: Logger(label: "cubicle.provisioner"))
            let sshReactor = SSHReactor()
            reactor = sshReactor
            let workspaceConnector = WorkspaceConnector(provisioner: provisioner, pool: SSHSessionPool(reactor: sshReactor))
            connector = workspaceConnector
            let dependencies = APIDependencies(
                store: store, provisioner: provisioner, catalog: { watcher.catalog },
                // Namespaced, so the health check needs nothing beyond the workspace Role (manifests/).
                clusterCheck: { _ = try await kube.list(Pod.self, namespace: namespace, options: ListOptions(limit: 1)) },
                connector: workspaceConnector, time: time)
            let embeddedKubeconfig = connection.embedded == nil ? nil : connection.kubeconfigPath
            let app = Application(
                router: APIRouter.make(dependencies),
                configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cubicle"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? configuration.port
                    let url = "http://\(configuration.host):\(port)"
                    logger.notice("Cubicle API listening on \(url)")
                    onReady(Ready(
                        url: url, port: port, adminTokenPath: adminToken, embeddedKubeconfig: embeddedKubeconfig,
                        embeddedCluster: connection.embedded))
                },
                logger: Logger(label: "cubicle.api"))
            var services: [any ServiceLifecycle.Service] = [
                TaskService(name: "provisioner") { try await provisioner.run() },
                TaskService(name: "blueprints") { try await watcher.run() },
                StoreTidier(store: store, time: time),
                TaskService(name: "ssh") { try await workspaceConnector.run() },
            ]
            if let kubelet = connection.kubelet { services.append(TaskService(name: "kubelet") { await kubelet() }) }
            services.append(app)
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) },
                    gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                    logger: logger))
            try await group.run()
        } catch {
            await shutdown(connector: connector, reactor: reactor, client: client, cluster: cluster, store: store)
            throw error
        }
        await shutdown(connector: connector, reactor: reactor, client: client, cluster: cluster, store: store)
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
