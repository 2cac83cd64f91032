import CubicleModel
import Foundation
import KubeClient
import LocalCluster
import Logging

/// The Kubernetes API Cubicle talks to: the configured one, or the embedded cluster with its
/// kubelet when nothing is configured.
struct ClusterConnection: Sendable {
    var config: KubeConfig
    var embedded: LocalCluster?
    var kubeconfigPath: String?
    /// Runs the embedded cluster's kubelet until cancelled.
    var kubelet: (@Sendable () async -> Void)?

    static func open(
        _ configuration: ServerConfiguration, logger: Logger, makeLogger: CubicleServer.LoggerFactory
    ) async throws -> ClusterConnection {
        if !configuration.forceEmbedded {
            if let path = configuration.kubeconfig {
                return ClusterConnection(config: try await KubeConfig.load(path: path, context: configuration.context, environment: configuration.environment))
            }
            if let discovered = try await KubeConfig.discover(
                environment: configuration.environment, serviceAccountDirectory: configuration.serviceAccountDirectory) {
                logger.info("using the configured cluster", metadata: ["server": "\(discovered.server)"])
                return ClusterConnection(config: discovered)
            }
        }
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("cluster")
        let cluster = LocalCluster(
            configuration: LocalClusterConfiguration(
                dataDirectory: directory, logger: makeLogger("cubicle.localcluster"),
                kubelet: configuration.kubelet == .process ? KubeletConfiguration(addressBlocks: configuration.podAddressBlocks) : nil))
        _ = try await cluster.start()
        let kubeconfigPath = (directory as NSString).appendingPathComponent("kubeconfig")
        do {
            try await cluster.writeKubeconfig(to: kubeconfigPath)
            let config = try await KubeConfig.load(path: kubeconfigPath, environment: [:])
            let api = try cluster.kubelet
            // The process kubelet runs inside the cluster (started with it); the instant one is ours to run.
            var kubelet: (@Sendable () async -> Void)?
            if configuration.kubelet == .instant {
                let instant = InstantKubelet(api: api, startupDelay: configuration.instantKubeletDelay)
                kubelet = { await instant.run() }
            }
            logger.notice("started the embedded cluster; kubectl --kubeconfig \(kubeconfigPath)")
            return ClusterConnection(config: config, embedded: cluster, kubeconfigPath: kubeconfigPath, kubelet: kubelet)
        } catch {
            await cluster.shutdown()
            throw error
        }
    }
}
