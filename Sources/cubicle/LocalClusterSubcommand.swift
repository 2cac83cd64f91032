import ArgumentParser
import LocalCluster
import Logging

/// `cubicle local-cluster`: runs the embedded Kubernetes API server and process kubelet until
/// SIGINT/SIGTERM.
struct LocalClusterSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local-cluster",
        abstract: "Run the embedded Kubernetes API server and process kubelet; writes <data-dir>/kubeconfig."
    )

    @Option(help: "The loopback host:port to listen on (port 0 picks one).")
    var listen = "127.0.0.1:6443"

    @Option(name: .customLong("data-dir"), help: "Where objects, keys and the kubeconfig live.")
    var dataDir = ".cubicle/cluster"

    @Flag(help: "Serve plain HTTP without authentication instead of HTTPS.")
    var http = false

    @Flag(name: .customLong("enable-fault-hooks"), help: "Serve the test fault endpoints under /_localcluster/faults.")
    var enableFaultHooks = false

    @Flag(name: .customLong("no-kubelet"), help: "Run only the API server; pods are stored but never run.")
    var noKubelet = false

    @Option(
        name: .customLong("pod-address-blocks"),
        help: "The third octets x of pod addresses 127.77.x.y, as N or N-M.")
    var podAddressBlocks = "0-249"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        try await LocalClusterCommand.run(
            listen: listen, dataDirectory: dataDir, http: http, faultEndpoints: enableFaultHooks,
            kubelet: !noKubelet, podAddressBlocks: try KubeletConfiguration.parseAddressBlocks(podAddressBlocks),
            logger: Logger(label: "cubicle.local-cluster")
        )
    }
}
