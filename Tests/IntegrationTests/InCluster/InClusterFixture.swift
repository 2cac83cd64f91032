import App
import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import LocalCluster
import Logging
import Synchronization
import Testing

/// A Cubicle server that believes it runs in a pod: an embedded cluster over HTTPS with RBAC
/// enforced stands in for the real one, the shipped `manifests/` (rendered by real
/// `kubectl kustomize`, applied by real `kubectl`) provide its ServiceAccount, Role and binding,
/// and the service account mount is faked on disk the way the kubelet lays it out (`..data`
/// symlink swaps), with `KUBERNETES_SERVICE_HOST`/`_PORT` in the server's environment.
final class InClusterFixture: Sendable {
    let cluster: LocalCluster
    let directory: TemporaryDirectory
    /// The cluster admin (client certificate in `system:masters`).
    let admin: KubeClient
    let kubeconfig: String
    let mount: ServiceAccountMount
    let kubelet: Task<Void, Never>
    private let recorder: AccessRecorder

    /// Collects the cluster's authorization decisions.
    final class AccessRecorder: Sendable {
        let records = Mutex<[AccessRecord]>([])
    }

    /// The server's service account as RBAC names it.
    static let serverUser = "system:serviceaccount:cubicle-system:cubicle"

    private init(
        cluster: LocalCluster, directory: TemporaryDirectory, admin: KubeClient, kubeconfig: String, mount: ServiceAccountMount,
        kubelet: Task<Void, Never>, recorder: AccessRecorder
    ) {
        self.cluster = cluster
        self.directory = directory
        self.admin = admin
        self.kubeconfig = kubeconfig
        self.mount = mount
        self.kubelet = kubelet
        self.recorder = recorder
    }

    /// Every authorization decision the cluster made for the server's service account so far.
    var serverAccess: [AccessRecord] { recorder.records.withLock { $0 }.filter { $0.user == Self.serverUser } }

    /// Starts the cluster, applies `manifests/<layout>` and mounts a token for the server's account.
    static func start(layout: String) async throws -> InClusterFixture {
        let directory = try TemporaryDirectory("cubicle-incluster")
        let recorder = AccessRecorder()
        var configuration = LocalClusterConfiguration(dataDirectory: directory.file("cluster"))
        configuration.authorization = .rbac
        configuration.onAccess = { record in recorder.records.withLock { $0.append(record) } }
        var logger = Logger(label: "incluster")
        logger.logLevel = .warning
        configuration.logger = logger
        let cluster = LocalCluster(configuration: configuration)
        _ = try await cluster.start()
        let instant = InstantKubelet(api: try cluster.kubelet)
        let kubelet = Task { await instant.run() }
        let kubeconfig = directory.file("admin.kubeconfig")
        try await cluster.writeKubeconfig(to: kubeconfig)
        let admin = try KubeClient(config: try await KubeConfig.load(path: kubeconfig, environment: [:]))
        let mount = ServiceAccountMount(path: directory.file("serviceaccount"))
        let fixture = InClusterFixture(
            cluster: cluster, directory: directory, admin: admin, kubeconfig: kubeconfig, mount: mount, kubelet: kubelet,
            recorder: recorder)
        do {
            let source = layout.isEmpty ? "\(ServerHarness.repository)/manifests" : "\(ServerHarness.repository)/manifests/\(layout)"
            let rendered = try await fixture.kubectl(["kustomize", source])
            try directory.write("rendered.yaml", rendered)
            _ = try await fixture.kubectl(["apply", "--server-side", "-f", directory.file("rendered.yaml")])
            try await fixture.rotateToken(recreatingAccount: false)
            return fixture
        } catch {
            await fixture.stop()
            throw error
        }
    }

    /// Issues a fresh token for the server's account and publishes it the way the kubelet does.
    /// `recreatingAccount` deletes and recreates the account first, so every older token stops working.
    @discardableResult
    func rotateToken(recreatingAccount: Bool) async throws -> String {
        if recreatingAccount {
            try await admin.delete(ServiceAccount.self, name: "cubicle", namespace: "cubicle-system")
            _ = try await admin.create(ServiceAccount(metadata: ObjectMeta(name: "cubicle")), namespace: "cubicle-system")
        }
        let token = try await admin.requestToken(serviceAccount: "cubicle", namespace: "cubicle-system", expirationSeconds: 3600).token
        try await mount.publish(token: token, certificateAuthority: try cluster.certificateAuthorityPEM, namespace: "cubicle-system")
        return token
    }

    /// The environment a pod sees: the apiserver's Service address, and a HOME without a kubeconfig.
    var podEnvironment: [String: String] {
        get throws {
            guard let address = cluster.address else { throw TestFailure("the cluster is not running") }
            return ["KUBERNETES_SERVICE_HOST": address.host, "KUBERNETES_SERVICE_PORT": String(address.port), "HOME": directory.file("home")]
        }
    }

    /// Starts a Cubicle server on the fake in-cluster layout (`namespace`: the `--namespace` flag).
    func startServer(namespace: String? = nil, serverNamespace: String? = nil) async throws -> ServerHarness {
        let data = try TemporaryDirectory("cubicle-incluster-data")
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: data.path, blueprintsDirectory: "\(ServerHarness.repository)/blueprints",
            workspaceDirectory: "\(ServerHarness.repository)/workspace", namespace: namespace, kubelet: .instant,
            environment: try podEnvironment)
        configuration.serviceAccountDirectory = mount.path
        configuration.serverNamespace = serverNamespace
        let ready = Mutex<CubicleServer.Ready?>(nil)
        var logger = Logger(label: "it-incluster")
        logger.logLevel = .warning
        let task = Task {
            try await CubicleServer.run(configuration, logger: logger, handleSignals: false) { info in ready.withLock { $0 = info } }
        }
        do {
            try await eventually("the in-cluster server is ready", within: 60) {
                if ready.withLock({ $0 }) != nil { return true }
                if task.isCancelled { throw TestFailure("cancelled") }
                return false
            }
            let info = try #require(ready.withLock { $0 })
            #expect(info.embeddedCluster == nil, "the server must use the in-cluster configuration, not start its own cluster")
            let token = try await blocking { try String(contentsOfFile: "\(data.path)/admin-token", encoding: .utf8) }
                .trimmingCharacters(in: .whitespacesAndNewlines)
            // The harness's kube client is the admin's (for assertions); stop() shuts down a client of its own.
            let kube = try KubeClient(config: try await KubeConfig.load(path: kubeconfig, environment: [:]))
            return ServerHarness(
                url: info.url, adminToken: token, cluster: cluster, kube: kube, dataDirectory: data, task: task,
                configuration: configuration, holdsSlot: false)
        } catch {
            task.cancel()
            _ = await task.result
            data.remove()
            throw error
        }
    }

    /// Runs real kubectl as the cluster admin.
    func kubectl(_ arguments: [String]) async throws -> String {
        let home = directory.file("kubectl-home")
        let environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "KUBECONFIG": kubeconfig]
        let arguments = ["--kubeconfig", kubeconfig, "--cache-dir", home + "/cache"] + arguments
        let (status, output, errors) = try await blocking { () throws -> (Int32, String, String) in
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            let outcome = try Program.run("/usr/bin/env", ["kubectl"] + arguments, environment: environment)
            return (outcome.status, outcome.output, outcome.errors)
        }
        guard status == 0 else { throw TestFailure("kubectl \(arguments.joined(separator: " ")) failed (\(status)): \(errors)") }
        return output
    }

    /// Stops the kubelet and the cluster and removes every file.
    func stop() async {
        kubelet.cancel()
        _ = await kubelet.value
        await admin.shutdown()
        await cluster.shutdown()
        directory.remove()
    }

    /// Runs `body` with a fixture and always stops it.
    static func with<T: Sendable>(layout: String, _ body: (InClusterFixture) async throws -> T) async throws -> T {
        let fixture = try await start(layout: layout)
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }
}

/// A service account volume as the kubelet writes it: the files live in a timestamped directory,
/// `..data` points at it, and `token`, `ca.crt`, `namespace` point through `..data`. An update
/// writes a new directory and renames a fresh `..data` link over the old one (atomic for readers).
final class ServiceAccountMount: Sendable {
    let path: String
    private let generation = Mutex(0)

    init(path: String) { self.path = path }

    /// Publishes new contents atomically.
    func publish(token: String, certificateAuthority: String, namespace: String) async throws {
        let next = generation.withLock { value -> Int in
            value += 1
            return value
        }
        let path = path
        try await blocking {
            let manager = FileManager.default
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            let versioned = "..2026_01_01_00_00_0\(next).\(next)"
            try manager.createDirectory(atPath: "\(path)/\(versioned)", withIntermediateDirectories: true)
            for (name, text) in [("token", token), ("ca.crt", certificateAuthority), ("namespace", namespace)] {
                try Data(text.utf8).write(to: URL(fileURLWithPath: "\(path)/\(versioned)/\(name)"))
            }
            let previous = try? manager.destinationOfSymbolicLink(atPath: "\(path)/..data")
            try? manager.removeItem(atPath: "\(path)/..data_tmp")
            try manager.createSymbolicLink(atPath: "\(path)/..data_tmp", withDestinationPath: versioned)
            guard rename("\(path)/..data_tmp", "\(path)/..data") == 0 else { throw TestFailure("rename ..data failed: errno \(errno)") }
            for name in ["token", "ca.crt", "namespace"] where (try? manager.destinationOfSymbolicLink(atPath: "\(path)/\(name)")) == nil {
                try manager.createSymbolicLink(atPath: "\(path)/\(name)", withDestinationPath: "..data/\(name)")
            }
            if let previous, previous != versioned { try? manager.removeItem(atPath: "\(path)/\(previous)") }
        }
    }
}
