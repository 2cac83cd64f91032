import CubicleModel
import Foundation
import NIOCore
import NIOSSL

extension LocalCluster {
    /// Builds every part of a running cluster: files are read and keys created on the
    /// persister's thread, then the listener is bound.
    func makeRuntime() async throws -> Runtime {
        let configuration = configuration
        guard LocalClusterConfiguration.isLoopback(configuration.host) else {
            throw LocalClusterError.setup("the local cluster only listens on loopback addresses, not \(configuration.host)")
        }
        let directory = configuration.dataDirectory
        let persister = SnapshotPersister(directory: directory, logger: configuration.logger)
        let (authority, tokens) = try await persister.perform { () throws(LocalClusterError) -> (CertificateAuthority, ServiceAccountTokens) in
            try AtomicFile.makeDirectory(directory)
            try AtomicFile.makeDirectory(directory + "/pki")
            return (
                try CertificateAuthority.loadOrCreate(directory: directory + "/pki"),
                try ServiceAccountTokens.loadOrCreate(directory: directory + "/pki")
            )
        }
        let snapshot = try await persister.load()
        let store = ObjectStore(snapshot: snapshot, historyLimit: configuration.historyLimit) { store in
            persister.scheduleWrite(of: store)
        }
        let registry = Registry(
            store: store, catalog: .builtin, time: configuration.timeSource, rootCertificatePEM: authority.certificatePEM
        )
        registry.bootstrap()
        persister.scheduleWrite(of: store)

        let faults = ClusterFaults(store: store, time: configuration.timeSource)
        let api = APIServer(
            registry: registry,
            authenticator: Authenticator(
                staticTokens: configuration.staticTokens, tokens: tokens, registry: registry,
                allowAnonymous: !configuration.tls
            ),
            faults: faults, tokens: tokens,
            access: APIServer.Access(
                authorizer: configuration.authorization == .rbac ? RBACAuthorizer(registry: registry) : nil,
                observer: configuration.onAccess
            ),
            settings: APIServer.Settings(
                faultEndpoints: configuration.faultEndpoints, bookmarkInterval: configuration.bookmarkInterval,
                watchTimeout: configuration.watchTimeout, watchBufferLimit: 10_000
            ),
            logger: configuration.logger
        )
        let kubeletAPI = ClusterKubeletAPI(registry: registry, faults: faults)
        var processKubelet: Kubelet?
        if let settings = configuration.kubelet {
            let kubelet = Kubelet(
                api: kubeletAPI, configuration: settings, dataDirectory: Self.absolute(directory),
                timeSource: configuration.timeSource, logger: configuration.logger)
            do {
                try await kubelet.start()
            } catch {
                await kubelet.shutdown()
                store.endAllWatches()
                await persister.flush()
                throw error
            }
            processKubelet = kubelet
        }
        let tls = try configuration.tls ? Self.tlsContext(authority: authority, host: configuration.host) : nil
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(
                host: configuration.host, port: configuration.port,
                tls: tls,
                maximumBodySize: configuration.maximumBodySize, eventLoopGroup: configuration.eventLoopGroup
            ),
            api: api, logger: configuration.logger
        )
        let bound: SocketAddress
        do {
            bound = try await server.start()
        } catch {
            await processKubelet?.shutdown()
            throw error
        }
        let address = LocalClusterAddress(
            scheme: configuration.tls ? "https" : "http", host: configuration.host, port: bound.port ?? configuration.port
        )
        api.setServerAddress("\(configuration.host):\(address.port)")
        return Runtime(
            address: address, registry: registry, server: server, persister: persister, authority: authority,
            faults: faults, kubelet: kubeletAPI, processKubelet: processKubelet
        )
    }

    /// `path` made absolute against the working directory (pod paths must be absolute).
    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The server TLS context: a fresh serving certificate from the cluster CA, and optional
    /// client certificates verified against that CA.
    private static func tlsContext(authority: CertificateAuthority, host: String) throws -> NIOSSLContext {
        let serving = try authority.issueServingCertificate(extraHosts: [host])
        let certificate = try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)
        let root = try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .certificates([root])
        tls.applicationProtocols = ["http/1.1"]
        tls.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: tls)
    }
}
