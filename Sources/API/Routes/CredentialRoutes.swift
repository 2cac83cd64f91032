import Crypto
import CubicleModel
import Foundation
import Hummingbird
import Store

/// `/users/:u/credentials` (and `/me/credentials`): git and registry credentials, secrets sealed
/// with AES-GCM under a key from the data directory; kubernetes ones minted per request. Lists never carry secrets; one credential by
/// service (`git`, `registry`) carries it, the narrowest matching scope winning. Admins create.
struct CredentialRoutes: RouteSet {
    let dependencies: APIDependencies

    /// What an endpoint does.
    enum Action: CaseIterable { case list, get, create, delete }

    /// An action under `me` or `users/:u`.
    struct Endpoint {
        var action: Action
        var prefix: String
    }

    static var endpoints: [Endpoint] {
        [Endpoint(action: .list, prefix: "me"), Endpoint(action: .get, prefix: "me")]
            + Action.allCases.map { Endpoint(action: $0, prefix: "users/:u") }
    }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint.action {
        case .list: (.get, "\(endpoint.prefix)/credentials")
        case .get: (.get, "\(endpoint.prefix)/credentials/:name")
        case .create: (.post, "\(endpoint.prefix)/credentials/:name")
        case .delete: (.delete, "\(endpoint.prefix)/credentials/:name")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let username = try caller.resolve(context.parameters.get("u") ?? "me")
        let store = dependencies.store.credentials
        switch endpoint.action {
        case .list:
            return try JSONBody.response(try await store.list(username: username).map(CredentialBody.init))
        case .get:
            let name = try context.parameters.require("name")
            guard let service = CredentialService(rawValue: name) else {
                throw APIError.notFound("no \(name.prefix(32)) credential; services are git, registry and kubernetes")
            }
            let scope = request.query.get("scope") ?? ""
            let now = dependencies.time.now
            let candidates = try await store.list(username: username).filter {
                $0.serviceName == service && $0.isActive && ($0.expiresAt.map { $0 > now } ?? true)
                    && Self.scope($0.serviceScope, matches: scope)
            }
            guard let best = candidates.max(by: { $0.serviceScope.count < $1.serviceScope.count }) else {
                throw APIError.notFound("no \(service.rawValue) credential matches \"\(scope.prefix(128))\"")
            }
            if service == .kubernetes { return try JSONBody.response(try await minted(best)) }
            let sealed = try await store.get(id: best.id)
            var body = CredentialBody(best)
            body.secret = try sealed.ciphertext.map { try CredentialSeal.open($0, key: dependencies.auth.credentialKey, for: best) }
            return try JSONBody.response(body)
        case .create:
            try caller.requireAdmin()
            let name = try context.parameters.require("name")
            guard let service = CredentialService(rawValue: name) else { throw APIError.invalid("the service must be git, registry or kubernetes") }
            let body = try await JSONBody.decode(NewCredentialBody.self, from: request)
            guard body.scope.utf8.count <= 512, body.subject.utf8.count <= 256, (body.secret?.utf8.count ?? 0) <= 16384 else {
                throw APIError.invalid("scope, subject or secret is too long")
            }
            if service == .kubernetes {
                guard body.secret == nil else { throw APIError.invalid("kubernetes credentials are minted on demand; no secret") }
                guard DNSLabel.isValid(body.scope), !body.subject.isEmpty else {
                    throw APIError.invalid("a kubernetes credential's scope is a namespace and its subject a ServiceAccount name")
                }
            }
            let created = try await createSealed(username: username, service: service, body: body, caller: caller)
            return try JSONBody.response(CredentialBody(created), status: .created)
        case .delete:
            let id = try context.parameters.require("name")
            do {
                try await store.delete(id: id, username: username)
            } catch let error as StoreError where error.code == .notFound {
                throw APIError.notFound("credential \"\(id.prefix(64))\" not found")
            }
            return Response(status: .noContent)
        }
    }

    /// A `kubernetes` record with a fresh ServiceAccount token (subject) in its namespace
    /// (serviceScope) from the TokenRequest API: one hour, never stored.
    private func minted(_ record: Credential) async throws -> CredentialBody {
        guard DNSLabel.isValid(record.serviceScope), !record.subject.isEmpty, record.subject.utf8.count <= 253 else {
            throw APIError.notFound("kubernetes credential \(record.id) names no valid namespace and ServiceAccount")
        }
        let issued: (token: String, expiresAt: Date)
        do {
            issued = try await dependencies.provisioner.serviceAccountToken(record.subject, namespace: record.serviceScope, seconds: 3600)
        } catch let error as any CodedError where error.code == .notFound {
            throw APIError.notFound("ServiceAccount \(record.subject.prefix(64)) does not exist in \(record.serviceScope)")
        } catch let error as any CodedError where error.code == .forbidden {
            // Cubicle's Role allows tokens in its own namespace only.
            throw APIError.forbidden("Cubicle may not create tokens for \(record.subject.prefix(64)) in \(record.serviceScope)")
        } catch let error as any CodedError {
            throw APIError(.serviceUnavailable, .clusterUnavailable, "the TokenRequest failed: \(error.message)")
        }
        var body = CredentialBody(record)
        body.secret = issued.token
        body.expiresAt = issued.expiresAt
        return body
    }

    /// Stores a credential, its secret sealed with the user, service and scope as associated data so
    /// a ciphertext copied to another row does not open.
    private func createSealed(username: String, service: CredentialService, body: NewCredentialBody, caller: Caller) async throws -> Credential {
        let context = CredentialSeal.associatedData(username: username, service: service, scope: body.scope)
        return try await dependencies.store.credentials.create(
            NewCredential(
                username: username, serviceName: service, serviceScope: body.scope, credentialSource: "admin:\(caller.username)",
                subject: body.subject,
                ciphertext: try body.secret.map { try CredentialSeal.seal($0, key: dependencies.auth.credentialKey, associatedData: context) },
                expiresAt: body.expiresAt))
    }

    /// Whether a credential scoped `credential` applies to `requested`: empty or `*` applies to
    /// everything; otherwise equal, or a path prefix (`github.com` covers `github.com/org/repo`).
    static func scope(_ credential: String, matches requested: String) -> Bool {
        if credential.isEmpty || credential == "*" { return true }
        return requested == credential || requested.hasPrefix(credential.hasSuffix("/") ? credential : credential + "/")
    }
}

/// Seals credential secrets (AES-GCM; the user, service and scope as associated data).
enum CredentialSeal {
    static func associatedData(username: String, service: CredentialService, scope: String) -> [UInt8] {
        Array("cubicle-credential\u{0}\(username)\u{0}\(service.rawValue)\u{0}\(scope)".utf8)
    }

    static func seal(_ secret: String, key: [UInt8]?, associatedData: [UInt8]) throws -> [UInt8] {
        guard let key, key.count == 32 else { throw APIError(.serviceUnavailable, .internalError, "no credential key is configured") }
        do {
            let box = try AES.GCM.seal(Array(secret.utf8), using: SymmetricKey(data: key), authenticating: associatedData)
            guard let combined = box.combined else { throw APIError(.internalServerError, .internalError, "cannot seal the secret") }
            return Array(combined)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, .internalError, "cannot seal the secret")
        }
    }

    static func open(_ sealed: [UInt8], key: [UInt8]?, for credential: Credential) throws -> String {
        guard let key, key.count == 32 else { throw APIError(.serviceUnavailable, .internalError, "no credential key is configured") }
        let context = associatedData(username: credential.username, service: credential.serviceName, scope: credential.serviceScope)
        do {
            let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: SymmetricKey(data: key), authenticating: context)
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw APIError(.internalServerError, .internalError, "the stored secret cannot be opened with this server's key")
        }
    }
}

/// `Credential` on the wire; `secret` only from the single-credential route.
struct CredentialBody: Encodable {
    var id: String
    var username: String
    var serviceName: String
    var serviceScope: String
    var credentialSource: String
    var subject: String
    var isActive: Bool
    var createdAt: Date
    var updatedAt: Date
    var expiresAt: Date?
    var secret: String?

    init(_ credential: Credential) {
        id = credential.id
        username = credential.username
        serviceName = credential.serviceName.rawValue
        serviceScope = credential.serviceScope
        credentialSource = credential.credentialSource
        subject = credential.subject
        isActive = credential.isActive
        createdAt = credential.createdAt
        updatedAt = credential.updatedAt
        expiresAt = credential.expiresAt
        secret = nil
    }
}

/// The body of `POST /users/:u/credentials/:service`.
struct NewCredentialBody: Decodable {
    var scope: String
    var subject: String
    var secret: String?
    var expiresAt: Date?
}
