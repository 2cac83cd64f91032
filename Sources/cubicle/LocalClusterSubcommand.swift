import ArgumentParser
import LocalCluster
import Logging

/// `cubicle local-cluster`: runs only the embedded Kubernetes API server until SIGINT/SIGTERM.
struct LocalClusterSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local-cluster",
        abstract: "Run only the embedded Kubernetes API server; writes <data-dir>/kubeconfig."
    )

    @Option(help: "The loopback host:port to listen on (port 0 picks one).")
    var listen = "127.0.0.1:6443"

    @Option(name: .customLong("data-dir"), help: "Where objects, keys and the kubeconfig live.")
    var dataDir = ".cubicle/cluster"

    @Flag(help: "Serve plain HTTP without authentication instead of HTTPS.")
    var http = false

    @Flag(name: .customLong("enable-fault-hooks"), help: "Serve the test fault endpoints under /_localcluster/faults.")
    var enableFaultHooks = false

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        try await LocalClusterCommand.run(
            listen: listen, dataDirectory: dataDir, http: http, faultEndpoints: enableFaultHooks,
            logger: Logger(label: "cubicle.local-cluster")
        )
    }
}
