import Foundation

extension KubeConfig {
    /// Loads a kubeconfig as kubectl does: `path` if given; else every file in `KUBECONFIG`
    /// (colon-separated, missing files skipped, merged so the first file to define a name or
    /// `current-context` wins); else `~/.kube/config`. Uses `context` or the current context.
    /// File reads happen on a dedicated thread.
    public static func load(
        path: String? = nil, context: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> KubeConfig {
        try await Offload.run("cubicle.kubeconfig") {
            try loadBlocking(path: path, context: context, environment: environment)
        }
    }

    /// `load(path:context:environment:)` on the calling thread, for start-up code outside async contexts.
    @available(*, noasync, message: "reads files; use load(path:context:environment:)")
    public static func loadSync(
        path: String? = nil, context: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KubeConfig {
        try loadBlocking(path: path, context: context, environment: environment)
    }

    /// The kubeconfig files `load` would read, in precedence order (existing or not).
    public static func kubeconfigPaths(path: String?, environment: [String: String]) -> [String] {
        if let path { return [path] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [(home as NSString).appendingPathComponent(".kube/config")]
    }

    static func loadBlocking(path: String?, context: String?, environment: [String: String]) throws -> KubeConfig {
        let candidates = kubeconfigPaths(path: path, environment: environment)
        var files: [KubeconfigFile] = []
        for candidate in candidates {
            switch FileAccess.read(candidate) {
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw KubeError.config(file: candidate, "not UTF-8 text")
                }
                files.append(try KubeconfigFile(text: text, path: candidate))
            case .failure(let problem):
                // kubectl skips missing entries of a KUBECONFIG list, but not an explicit file.
                let fromList = path == nil && candidates.count > 1
                if !fromList || FileManager.default.fileExists(atPath: candidate) {
                    throw KubeError.config(file: candidate, problem.message)
                }
            }
        }
        guard !files.isEmpty else {
            throw KubeError.config(file: candidates.joined(separator: ":"), "none of these files exist")
        }
        return try resolve(files: files, context: context)
    }

    /// Merges parsed files (first definition wins) and resolves one context into a configuration.
    static func resolve(files: [KubeconfigFile], context requested: String?) throws -> KubeConfig {
        let description = files.map(\.path).joined(separator: ":")
        guard let contextName = requested ?? files.lazy.compactMap(\.currentContext).first else {
            throw KubeError.config(file: description, "current-context is not set and no context was named")
        }
        guard let context = files.lazy.compactMap({ $0.contexts[contextName] }).first else {
            throw KubeError.config(file: description, "context \"\(contextName)\" not found")
        }
        guard let cluster = files.lazy.compactMap({ $0.clusters[context.value.cluster] }).first else {
            throw field(context.node, "cluster", "cluster \"\(context.value.cluster)\" not found")
        }
        var config = try clusterConfig(cluster)
        if !context.value.user.isEmpty {
            guard let user = files.lazy.compactMap({ $0.users[context.value.user] }).first else {
                throw field(context.node, "user", "user \"\(context.value.user)\" not found")
            }
            try applyUser(user, cluster: cluster, to: &config)
        }
        if let namespace = context.value.namespace, !namespace.isEmpty { config.namespace = namespace }
        config.origin = "kubeconfig \(description) (context \(contextName))"
        return config
    }

    private static func clusterConfig(_ cluster: KubeconfigFile.Entry<KubeconfigFile.Cluster>) throws -> KubeConfig {
        let value = cluster.value
        guard let server = value.server, !server.isEmpty else { throw field(cluster.node, "server", "missing") }
        guard let url = URLComponents(string: server), let scheme = url.scheme, ["https", "http"].contains(scheme.lowercased()),
            let host = url.host, !host.isEmpty
        else {
            throw field(cluster.node, "server", "not an http(s) URL: \(server)")
        }
        var tls = TLSOptions(insecureSkipVerify: value.insecureSkipTLSVerify, serverName: value.tlsServerName)
        if let data = value.certificateAuthorityData {
            tls.certificateAuthorityPEM = try pem(data, kind: .certificate, node: cluster.node, key: "certificate-authority-data")
        } else if let path = value.certificateAuthority {
            let bytes = try readReferenced(path, node: cluster.node, key: "certificate-authority")
            tls.certificateAuthorityPEM = try pem(bytes, kind: .certificate, node: cluster.node, key: "certificate-authority")
        }
        return KubeConfig(server: server, tls: tls, proxyURL: value.proxyURL)
    }

    private static func applyUser(
        _ user: KubeconfigFile.Entry<KubeconfigFile.User>, cluster: KubeconfigFile.Entry<KubeconfigFile.Cluster>, to config: inout KubeConfig
    ) throws {
        let value = user.value
        let directory = FileAccess.directory(of: user.node.file)
        if let data = value.clientCertificateData {
            config.tls.clientCertificatePEM = try pem(data, kind: .certificate, node: user.node, key: "client-certificate-data")
        } else if let path = value.clientCertificate {
            let bytes = try readReferenced(path, node: user.node, key: "client-certificate")
            config.tls.clientCertificatePEM = try pem(bytes, kind: .certificate, node: user.node, key: "client-certificate")
        }
        if let data = value.clientKeyData {
            config.tls.clientKeyPEM = try pem(data, kind: .privateKey, node: user.node, key: "client-key-data")
        } else if let path = value.clientKey {
            let bytes = try readReferenced(path, node: user.node, key: "client-key")
            config.tls.clientKeyPEM = try pem(bytes, kind: .privateKey, node: user.node, key: "client-key")
        }
        if (config.tls.clientCertificatePEM == nil) != (config.tls.clientKeyPEM == nil) {
            throw user.node.error(config.tls.clientKeyPEM == nil ? "a client certificate needs a client key" : "a client key needs a client certificate")
        }
        if let exec = value.exec {
            var command = exec.command
            if command.contains("/") { command = FileAccess.resolve(command, against: directory) }
            let clusterInfo = ExecClusterInfo(
                server: config.server, tlsServerName: cluster.value.tlsServerName, insecureSkipTLSVerify: cluster.value.insecureSkipTLSVerify,
                certificateAuthorityPEM: config.tls.certificateAuthorityPEM, proxyURL: cluster.value.proxyURL)
            config.auth = .exec(
                ExecCredentialConfig(
                    command: command, args: exec.args, env: exec.env, apiVersion: exec.apiVersion, installHint: exec.installHint,
                    provideClusterInfo: exec.provideClusterInfo, cluster: exec.provideClusterInfo ? clusterInfo : nil))
        } else if let token = value.token, !token.isEmpty {
            config.auth = .bearerToken(token)
        } else if let tokenFile = value.tokenFile, !tokenFile.isEmpty {
            let path = FileAccess.resolve(tokenFile, against: directory)
            _ = try readReferenced(tokenFile, node: user.node, key: "tokenFile")
            config.auth = .tokenFile(path: path)
        }
    }

    enum PEMKind {
        case certificate
        case privateKey
    }

    /// Checks that `bytes` hold a PEM block of the expected kind, so a garbled file fails at load
    /// time with its field name rather than later as an opaque TLS error.
    static func pem(_ bytes: [UInt8], kind: PEMKind, node: KubeconfigNode, key: String) throws -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let ok: Bool
        switch kind {
        case .certificate: ok = text.contains("-----BEGIN CERTIFICATE-----")
        case .privateKey: ok = text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----")
        }
        guard ok else {
            throw field(node, key, kind == .certificate ? "not a PEM certificate" : "not a PEM private key")
        }
        return bytes
    }

    private static func readReferenced(_ path: String, node: KubeconfigNode, key: String) throws -> [UInt8] {
        let resolved = FileAccess.resolve(path, against: FileAccess.directory(of: node.file))
        switch FileAccess.read(resolved) {
        case .success(let bytes): return bytes
        case .failure(let problem): throw field(node, key, problem.message)
        }
    }

    private static func field(_ node: KubeconfigNode, _ key: String, _ problem: String) -> KubeError {
        KubeError.config(file: node.file, field: node.path.isEmpty ? key : "\(node.path).\(key)", problem)
    }
}
