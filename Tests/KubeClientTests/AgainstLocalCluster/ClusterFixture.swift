import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import LocalCluster
import Logging
import Synchronization
import Testing

/// A `LocalCluster` over HTTPS started for one test: its own temporary data dir, an ephemeral
/// loopback port, and helpers that build `KubeClient`s for it the ways Cubicle does (a kubeconfig
/// file read by `KubeConfig.load`, a bearer token, an exec plugin).
struct ClusterFixture: Sendable {
    let cluster: LocalCluster
    let directory: TemporaryDirectory
    let address: LocalClusterAddress

    /// The cluster's fault hooks.
    var faults: ClusterFaults { get throws { try cluster.faults } }

    /// The cluster CA, for clients that verify the server.
    func certificateAuthority() throws -> [UInt8] { Array(try cluster.certificateAuthorityPEM.utf8) }

    /// Writes `cluster.kubeconfig(user:groups:)` to a file in the test directory and loads it with
    /// `KubeConfig.load`, so the client authenticates with the client certificate in it.
    func certificateConfig(user: String = "admin", groups: [String] = ["system:masters"]) async throws -> KubeConfig {
        let path = directory.file("kubeconfig-\(user)-\(UUID().uuidString.prefix(8))")
        try await cluster.writeKubeconfig(to: path, user: user, groups: groups)
        return try await KubeConfig.load(path: path, environment: [:])
    }

    /// A configuration that verifies the server with the cluster CA and sends `token`.
    func tokenConfig(_ token: String) throws -> KubeConfig {
        KubeConfig(server: address.url, tls: TLSOptions(certificateAuthorityPEM: try certificateAuthority()), auth: .bearerToken(token))
    }

    /// A client for `config`, shut down when `body` ends.
    func withClient<T>(
        _ config: KubeConfig, retryPolicy: RetryPolicy = .standard, timeSource: any TimeSource = SystemTimeSource(),
        bufferLimits: BufferLimits = .standard, requestObserver: (@Sendable (RequestRecord) -> Void)? = nil,
        _ body: (KubeClient) async throws -> T
    ) async throws -> T {
        let client = try KubeClient(
            config: config, retryPolicy: retryPolicy, timeSource: timeSource, bufferLimits: bufferLimits, environment: [:],
            requestObserver: requestObserver)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// An admin client authenticated by a client certificate from the cluster's kubeconfig.
    func withAdmin<T>(
        retryPolicy: RetryPolicy = .standard, timeSource: any TimeSource = SystemTimeSource(),
        requestObserver: (@Sendable (RequestRecord) -> Void)? = nil, _ body: (KubeClient) async throws -> T
    ) async throws -> T {
        try await withClient(
            try await certificateConfig(), retryPolicy: retryPolicy, timeSource: timeSource, requestObserver: requestObserver, body)
    }
}

/// Starts a cluster for one test, runs `body`, and always shuts the cluster down and removes its directory.
func withLocalCluster<T>(
    staticTokens: [String: UserInfo] = [:], timeSource: any TimeSource = SystemTimeSource(), bookmarkInterval: Double = 60,
    _ body: (ClusterFixture) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory("kubeclient-localcluster")
    var logger = Logger(label: "test.localcluster")
    logger.logLevel = .warning
    let configuration = LocalClusterConfiguration(
        dataDirectory: directory.file("data"), tls: true, staticTokens: staticTokens, logger: logger, timeSource: timeSource,
        bookmarkInterval: bookmarkInterval)
    let cluster = LocalCluster(configuration: configuration)
    let fixture: ClusterFixture
    do {
        fixture = ClusterFixture(cluster: cluster, directory: directory, address: try await cluster.start())
    } catch {
        _ = try? await blocking { directory.remove() }
        throw error
    }
    do {
        let result = try await body(fixture)
        await cluster.shutdown()
        _ = try? await blocking { directory.remove() }
        return result
    } catch {
        await cluster.shutdown()
        _ = try? await blocking { directory.remove() }
        throw error
    }
}

/// Runs `operation` and returns the `KubeError` it threw; records an issue when it succeeded or threw something else.
func kubeError(_ what: String, _ operation: () async throws -> Void) async -> KubeError? {
    do {
        try await operation()
    } catch let error as KubeError {
        return error
    } catch {
        Issue.record("\(what): expected a KubeError, got \(error)")
        return nil
    }
    Issue.record("\(what): succeeded but should have failed")
    return nil
}

/// Counts the logical requests a client makes, by verb.
final class RequestLog: Sendable {
    private let records = Mutex<[RequestRecord]>([])

    /// The observer to hand to `KubeClient`.
    var observer: @Sendable (RequestRecord) -> Void { { record in self.records.withLock { $0.append(record) } } }

    /// How many requests with `verb` were made.
    func count(_ verb: Verb) -> Int { records.withLock { $0.filter { $0.verb == verb }.count } }
}
