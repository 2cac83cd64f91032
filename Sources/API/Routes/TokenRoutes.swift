import CubicleModel
import Foundation
import Hummingbird
import Store

/// `/users/:u/tokens` (and `/me/tokens`): list, issue (the secret is shown once) and revoke
/// personal access tokens.
struct TokenRoutes: RouteSet {
    let dependencies: APIDependencies

    /// What an endpoint does.
    enum Action: CaseIterable { case list, issue, revoke }

    /// An action under `me` or `users/:u`.
    struct Endpoint {
        var action: Action
        var prefix: String
    }

    static var endpoints: [Endpoint] {
        ["me", "users/:u"].flatMap { prefix in Action.allCases.map { Endpoint(action: $0, prefix: prefix) } }
    }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint.action {
        case .list: (.get, "\(endpoint.prefix)/tokens")
        case .issue: (.post, "\(endpoint.prefix)/tokens")
        case .revoke: (.delete, "\(endpoint.prefix)/tokens/:id")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let username = try owner(context)
        switch endpoint.action {
        case .list:
            return try JSONBody.response(try await dependencies.store.accessTokens.list(username: username).map(TokenBody.init))
        case .issue:
            let body = try await JSONBody.decode(NewTokenBody.self, from: request)
            guard !body.name.isEmpty, body.name.utf8.count <= 128, !body.name.contains("\n") else {
                throw APIError.invalid("name must be 1 to 128 bytes on one line")
            }
            if let expiresAt = body.expiresAt, expiresAt <= dependencies.time.now {
                throw APIError.invalid("expiresAt must be in the future")
            }
            let scopes = body.scopes ?? []
            guard scopes.count <= 32, scopes.allSatisfy(AccessPolicy.isValidScope) else {
                throw APIError.invalid("scopes must be among \(AccessPolicy.areas.joined(separator: ", ")) with :read, :write or :*")
            }
            // A narrowed credential cannot mint a broader one: every new scope must fit inside it.
            if let held = try context.requireCaller().scopes {
                guard !scopes.isEmpty, scopes.allSatisfy({ scope in
                    let area = scope.split(separator: ":").first.map(String.init) ?? scope
                    let parts = scope.hasSuffix(":read") ? ["\(area):read"] : ["\(area):read", "\(area):write"]
                    return scope != "*" && parts.allSatisfy { AccessPolicy.permits(held, $0) }
                }) else { throw APIError.forbidden("a scoped token can only issue tokens with narrower scopes") }
            }
            let issued = try await dependencies.store.accessTokens.create(
                NewAccessToken(username: username, name: body.name, scopes: scopes, expiresAt: body.expiresAt))
            return try JSONBody.response(IssuedTokenBody(id: issued.token.id, token: issued.plaintext), status: .created)
        case .revoke:
            let id = try context.parameters.require("id")
            do {
                try await dependencies.adminAccess.check(.revokeToken(id: id, username: username))
                try await dependencies.store.accessTokens.revoke(id: id, username: username)
            } catch let error as StoreError where error.code == .notFound {
                throw APIError.notFound("token \"\(id.prefix(64))\" not found")
            }
            return Response(status: .noContent)
        }
    }

    private func owner(_ context: CubicleRequestContext) throws -> String {
        try context.requireCaller().resolve(context.parameters.get("u") ?? "me")
    }
}
