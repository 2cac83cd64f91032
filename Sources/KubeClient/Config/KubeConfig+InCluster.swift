import Foundation

extension KubeConfig {
    /// Where Kubernetes mounts a pod's service account.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Whether the environment looks like a pod's (`KUBERNETES_SERVICE_HOST` and `_PORT` set).
    public static func isInCluster(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
    }

    /// The pod's own service account: apiserver from `KUBERNETES_SERVICE_HOST`/`_PORT`, CA from
    /// `ca.crt`, namespace from `namespace`, and the `token` file re-read as it rotates. The
    /// directory is injectable so tests can fake the layout. File reads happen on a dedicated thread.
    public static func inCluster(
        directory: String = serviceAccountDirectory, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> KubeConfig {
        try await Offload.run("cubicle.incluster") { try inClusterBlocking(directory: directory, environment: environment) }
    }

    static func inClusterBlocking(directory: String, environment: [String: String]) throws -> KubeConfig {
        let origin = "in-cluster service account \(directory)"
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeError(code: .internalError, message: "\(origin): KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw KubeError(code: .internalError, message: "\(origin): KUBERNETES_SERVICE_PORT is not a port: \(port)")
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        switch FileAccess.read(tokenPath) {
        case .success(let bytes) where !String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            break
        case .success:
            throw KubeError(code: .internalError, message: "\(origin): \(tokenPath) is empty")
        case .failure(let problem):
            throw KubeError(code: .internalError, message: "\(origin): \(problem.message)")
        }
        let ca: [UInt8]
        switch FileAccess.read(caPath) {
        case .success(let bytes) where String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----"):
            ca = bytes
        case .success:
            throw KubeError(code: .internalError, message: "\(origin): \(caPath) is not a PEM certificate")
        case .failure(let problem):
            throw KubeError(code: .internalError, message: "\(origin): \(problem.message)")
        }
        var namespace = "default"
        if case .success(let bytes) = FileAccess.read(namespacePath) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(
            server: "https://\(hostPart):\(portNumber)", namespace: namespace, tls: TLSOptions(certificateAuthorityPEM: ca),
            auth: .tokenFile(path: tokenPath), origin: origin)
    }

    /// The configuration Cubicle should use when none is given: a kubeconfig when `KUBECONFIG` is
    /// set or `~/.kube/config` exists, else the pod's service account when running in a cluster,
    /// else nil (the caller then starts the embedded cluster).
    public static func discover(
        environment: [String: String] = ProcessInfo.processInfo.environment, serviceAccountDirectory: String = serviceAccountDirectory
    ) async throws -> KubeConfig? {
        let paths = kubeconfigPaths(path: nil, environment: environment)
        let hasKubeconfig = !(environment["KUBECONFIG"] ?? "").isEmpty
        let defaultExists = await (try? Offload.run { paths.contains { FileManager.default.fileExists(atPath: $0) } }) ?? false
        if hasKubeconfig || defaultExists {
            return try await load(environment: environment)
        }
        if isInCluster(environment: environment) {
            return try await inCluster(directory: serviceAccountDirectory, environment: environment)
        }
        return nil
    }
}
