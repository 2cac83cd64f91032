import CubicleModel
import Foundation

/// What an exec credential plugin returned.
struct ExecCredentialStatus: Sendable, Hashable {
    var token: String?
    var clientCertificatePEM: [UInt8]?
    var clientKeyPEM: [UInt8]?
    /// When the credential stops being valid; nil means it does not expire (use until a 401).
    var expiration: Date?
}

/// Runs a `client.authentication.k8s.io` exec plugin: a process spawn and wait, always on a
/// dedicated thread (see `CredentialProvider`).
enum ExecPlugin {
    /// How long a plugin may run.
    static let timeout: Double = 60

    /// Spawns the plugin, waits for it and parses its `ExecCredential`; blocking.
    static func run(_ config: ExecCredentialConfig, environment base: [String: String]) throws -> ExecCredentialStatus {
        var environment = base
        for variable in config.env { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: execInfo(config).serialized(), as: UTF8.self)
        let executable = try locate(config, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")

        // A plugin written a moment ago can still be open for writing in a child another thread
        // just forked (ETXTBSY until that child execs); a few short retries ride that out.
        var attempt = 0
        while true {
            let outcome: Program.Outcome
            do {
                outcome = try Program.run(executable, config.args, environment: environment, timeout: timeout)
            } catch {
                attempt += 1
                guard attempt < 8, access(executable, X_OK) == 0 else {
                    throw KubeError.credentials("exec plugin \(config.command): cannot start: \(error)", underlying: error)
                }
                usleep(UInt32(25_000 * attempt))
                continue
            }
            let stderrText = String(decoding: outcome.stderr.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if outcome.timedOut {
                throw KubeError.credentials("exec plugin \(config.command): did not finish within \(Int(timeout)) s")
            }
            guard outcome.succeeded else {
                let how = outcome.signaled ? "signal \(outcome.status - 128)" : "exit status \(outcome.status)"
                throw KubeError.credentials("exec plugin \(config.command): \(how)\(stderrText.isEmpty ? "" : ": \(stderrText)")")
            }
            return try parse(outcome.stdout, config: config)
        }
    }

    /// The `KUBERNETES_EXEC_INFO` document: the protocol version, non-interactive, and the
    /// cluster when the kubeconfig asks for it.
    static func execInfo(_ config: ExecCredentialConfig) -> JSONValue {
        var spec: [String: JSONValue] = ["interactive": false]
        if config.provideClusterInfo, let cluster = config.cluster {
            var info: [String: JSONValue] = ["server": .string(cluster.server)]
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = true }
            if let ca = cluster.certificateAuthorityPEM { info["certificate-authority-data"] = .string(Data(ca).base64EncodedString()) }
            if let proxy = cluster.proxyURL { info["proxy-url"] = .string(proxy) }
            spec["cluster"] = .object(info)
        }
        return ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": .object(spec)]
    }

    /// Parses the plugin's standard output.
    static func parse(_ bytes: [UInt8], config: ExecCredentialConfig) throws -> ExecCredentialStatus {
        let name = "exec plugin \(config.command)"
        guard let document = try? JSONValue.parse(bytes) else {
            throw KubeError.credentials("\(name): output is not JSON")
        }
        guard document["kind"]?.stringValue == "ExecCredential" else {
            throw KubeError.credentials("\(name): output is not an ExecCredential")
        }
        guard document["apiVersion"]?.stringValue == config.apiVersion else {
            throw KubeError.credentials(
                "\(name): answered with apiVersion \(document["apiVersion"]?.stringValue ?? "none"), expected \(config.apiVersion)")
        }
        guard let status = document["status"], status.objectValue != nil else {
            throw KubeError.credentials("\(name): the ExecCredential has no status")
        }
        var result = ExecCredentialStatus()
        result.token = status["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        result.clientCertificatePEM = status["clientCertificateData"]?.stringValue.map { Array($0.utf8) }
        result.clientKeyPEM = status["clientKeyData"]?.stringValue.map { Array($0.utf8) }
        if let expiry = status["expirationTimestamp"]?.stringValue {
            guard let date = RFC3339.date(from: expiry) else {
                throw KubeError.credentials("\(name): status.expirationTimestamp is not an RFC 3339 time: \(expiry)")
            }
            result.expiration = date
        }
        guard result.token != nil || (result.clientCertificatePEM != nil && result.clientKeyPEM != nil) else {
            throw KubeError.credentials("\(name): the ExecCredential has neither a token nor a client certificate and key")
        }
        if (result.clientCertificatePEM == nil) != (result.clientKeyPEM == nil) {
            throw KubeError.credentials("\(name): clientCertificateData and clientKeyData must come together")
        }
        return result
    }

    private static func locate(_ config: ExecCredentialConfig, path: String) throws -> String {
        let manager = FileManager.default
        if config.command.contains("/") {
            guard manager.isExecutableFile(atPath: config.command) else { throw notFound(config) }
            return config.command
        }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(config.command)"
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw notFound(config)
    }

    private static func notFound(_ config: ExecCredentialConfig) -> KubeError {
        var message = "exec plugin \(config.command): executable not found"
        if let hint = config.installHint, !hint.isEmpty { message += "\n\(hint)" }
        return KubeError.credentials(message)
    }
}
