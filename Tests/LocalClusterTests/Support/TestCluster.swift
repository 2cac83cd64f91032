import CubicleModel
import Foundation
import LocalCluster

/// A LocalCluster started for one test in its own temporary data dir, with the admin's
/// credentials written as files for curl and kubectl.
struct TestCluster: Sendable {
    let cluster: LocalCluster
    let directory: String
    let address: LocalClusterAddress
    let tls: Bool

    /// Paths of the CA and the admin client certificate and key.
    var caPath: String { directory + "/test-ca.crt" }
    var adminCertificatePath: String { directory + "/test-admin.crt" }
    var adminKeyPath: String { directory + "/test-admin.key" }

    /// Starts a cluster in a fresh directory (or `directory`, to restart on existing state).
    static func start(
        tls: Bool = true, directory: String? = nil,
        configure: (inout LocalClusterConfiguration) -> Void = { _ in }
    ) async throws -> TestCluster {
        let path = directory ?? Self.makeTemporaryDirectory()
        var configuration = LocalClusterConfiguration(dataDirectory: path + "/data", tls: tls)
        configure(&configuration)
        let cluster = LocalCluster(configuration: configuration)
        let address = try await cluster.start()
        let test = TestCluster(cluster: cluster, directory: path, address: address, tls: tls)
        if tls {
            let admin = try cluster.issueClientCertificate(user: "admin", groups: ["system:masters"])
            try test.write(try cluster.certificateAuthorityPEM, to: test.caPath)
            try test.write(admin.certificatePEM, to: test.adminCertificatePath)
            try test.write(admin.privateKeyPEM, to: test.adminKeyPath)
        }
        return test
    }

    /// Runs `body` with a started cluster and always cleans up (shutdown, directory removal).
    static func with<T: Sendable>(
        tls: Bool = true, configure: (inout LocalClusterConfiguration) -> Void = { _ in },
        _ body: (TestCluster) async throws -> T
    ) async throws -> T {
        let test = try await start(tls: tls, configure: configure)
        do {
            let result = try await body(test)
            await test.stop(removingDirectory: true)
            return result
        } catch {
            await test.stop(removingDirectory: true)
            throw error
        }
    }

    /// Shuts the cluster down, optionally deleting its directory.
    func stop(removingDirectory: Bool) async {
        await cluster.shutdown()
        if removingDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A new unique temporary directory.
    static func makeTemporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "localcluster-test-" + UUID().uuidString.lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
