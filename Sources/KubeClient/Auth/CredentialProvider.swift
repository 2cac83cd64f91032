import CubicleModel
import Foundation
import Logging

/// The credentials one request carries.
struct Credentials: Sendable, Hashable {
    /// The bearer token, if any.
    var bearerToken: String?
    /// A client certificate from an exec plugin, replacing the configured one.
    var clientCertificatePEM: [UInt8]?
    /// The key of `clientCertificatePEM`.
    var clientKeyPEM: [UInt8]?
}

/// Supplies the current credentials for `KubeAuth`: re-reads a rotating token file (at most every
/// `tokenRecheckInterval` seconds, and after a 401), and runs an exec plugin once per credential
/// lifetime (cached until `expirationTimestamp`, re-run after a 401). Blocking work runs on
/// dedicated threads; concurrent callers share one plugin run.
actor CredentialProvider {
    /// How often a token file is re-read for rotation at most.
    static let tokenRecheckInterval: Double = 10
    /// An exec credential is refreshed this long before it expires.
    static let expirySkew: Double = 5

    private let auth: KubeAuth
    private let timeSource: any TimeSource
    private let environment: [String: String]
    private let logger: Logger

    private var fileToken: String?
    private var fileCheckedAt: Date?
    private var execCredential: ExecCredentialStatus?
    private var execRun: Task<ExecCredentialStatus, any Error>?

    init(auth: KubeAuth, timeSource: any TimeSource, environment: [String: String], logger: Logger) {
        self.auth = auth
        self.timeSource = timeSource
        self.environment = environment
        self.logger = logger
    }

    /// The credentials to send now.
    func current() async throws -> Credentials {
        switch auth {
        case .none:
            return Credentials()
        case .bearerToken(let token):
            return Credentials(bearerToken: token)
        case .tokenFile(let path):
            let now = timeSource.now
            if fileToken == nil || fileCheckedAt.map({ now.timeIntervalSince($0) >= Self.tokenRecheckInterval }) ?? true {
                try await rereadTokenFile(path, at: now)
            }
            return Credentials(bearerToken: fileToken)
        case .exec(let config):
            if let cached = execCredential, isFresh(cached) { return credentials(from: cached) }
            return credentials(from: try await runPlugin(config))
        }
    }

    /// Called after the apiserver rejected `used` with 401: refreshes the credentials and says
    /// whether a retry could succeed (the credentials changed).
    func refreshAfterRejection(of used: Credentials) async throws -> Bool {
        switch auth {
        case .none, .bearerToken:
            return false
        case .tokenFile(let path):
            try await rereadTokenFile(path, at: timeSource.now)
            return Credentials(bearerToken: fileToken) != used
        case .exec(let config):
            if let cached = execCredential, credentials(from: cached) != used, isFresh(cached) {
                return true  // another request already refreshed them
            }
            execCredential = nil
            return credentials(from: try await runPlugin(config)) != used
        }
    }

    private func isFresh(_ credential: ExecCredentialStatus) -> Bool {
        guard let expiration = credential.expiration else { return true }
        return timeSource.now < expiration.addingTimeInterval(-Self.expirySkew)
    }

    private func credentials(from status: ExecCredentialStatus) -> Credentials {
        Credentials(bearerToken: status.token, clientCertificatePEM: status.clientCertificatePEM, clientKeyPEM: status.clientKeyPEM)
    }

    private func runPlugin(_ config: ExecCredentialConfig) async throws -> ExecCredentialStatus {
        if let execRun { return try await execRun.value }
        let environment = self.environment
        let task = Task {
            try await Offload.run("cubicle.exec-plugin") { try ExecPlugin.run(config, environment: environment) }
        }
        execRun = task
        defer { execRun = nil }
        let result = try await task.value
        execCredential = result
        logger.debug("exec credential plugin ran", metadata: ["command": "\(config.command)"])
        return result
    }

    private func rereadTokenFile(_ path: String, at now: Date) async throws {
        let read = try await Offload.run("cubicle.token-file") { FileAccess.read(path) }
        fileCheckedAt = now
        switch read {
        case .success(let bytes):
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token.isEmpty {
                guard fileToken != nil else { throw KubeError.credentials("token file \(path) is empty") }
                logger.warning("token file is empty; keeping the previous token", metadata: ["path": "\(path)"])
            } else {
                if let previous = fileToken, previous != token { logger.info("token file rotated", metadata: ["path": "\(path)"]) }
                fileToken = token
            }
        case .failure(let problem):
            // During rotation the file may briefly vanish; keep using the token we have.
            guard fileToken != nil else { throw KubeError.credentials("token file: \(problem.message)") }
            logger.warning("cannot re-read token file; keeping the previous token", metadata: ["problem": "\(problem.message)"])
        }
    }
}
