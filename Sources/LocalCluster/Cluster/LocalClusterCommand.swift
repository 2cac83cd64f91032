import CubicleModel
import Foundation
import Logging
import ServiceLifecycle

/// The body of `cubicle local-cluster`: runs the embedded cluster (API server and, unless
/// disabled, the process kubelet) until SIGINT or SIGTERM, with a kubeconfig for it written to
/// `<data dir>/kubeconfig`.
public enum LocalClusterCommand {
    /// Starts the cluster on `listen` (`host:port`) with its state in `dataDirectory`, prints
    /// where it listens and where the kubeconfig is, and serves until a shutdown signal. With
    /// `kubelet`, pods run as processes with addresses `127.77.x.y` for x in `podAddressBlocks`.
    public static func run(
        listen: String, dataDirectory: String, http: Bool, faultEndpoints: Bool, kubelet: Bool = true,
        podAddressBlocks: ClosedRange<Int> = 0...249, logger: Logger
    ) async throws {
        let (host, port) = try LocalClusterConfiguration.parseListen(listen)
        let directory = dataDirectory.hasPrefix("/")
            ? dataDirectory : FileManager.default.currentDirectoryPath + "/" + dataDirectory
        let cluster = LocalCluster(
            configuration: LocalClusterConfiguration(
                dataDirectory: directory, host: host, port: port, tls: !http, faultEndpoints: faultEndpoints,
                logger: logger, kubelet: kubelet ? KubeletConfiguration(addressBlocks: podAddressBlocks) : nil
            )
        )
        let address = try await cluster.start()
        let kubeconfigPath = directory + "/kubeconfig"
        do {
            try await cluster.writeKubeconfig(to: kubeconfigPath)
        } catch {
            await cluster.shutdown()
            throw error
        }
        announce("local cluster listening on \(address.url)\nkubeconfig: \(kubeconfigPath)\n")
        let group = ServiceGroup(services: [cluster], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// Writes to stdout unbuffered, so a parent process reading the pipe sees it at once.
    private static func announce(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
