import CubicleModel
import Foundation
import Hummingbird
import Store

/// `POST /internal/users/:username/token`: a process inside a workspace trades the workspace's
/// own token (mounted from its Secret) for a 15-minute user JWT — only for the workspace's owner.
struct InternalRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The one endpoint.
    enum Endpoint: CaseIterable { case userToken }

    // Public to the user authenticator: the route checks the workspace token itself.
    static let isPublic = true
    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .userToken: (.post, "internal/users/:username/token")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let username = try context.parameters.require("username")
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.forbidden("the workspace token is required")
        }
        let presented = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard Username.isValid(username),
            let workspace = try await dependencies.provisioner.workspace(presentingToken: presented, ownedBy: username)
        else { throw APIError.forbidden("only a workspace's own token may ask for its owner's token") }
        let user = try await dependencies.store.users.get(username)
        guard !user.locked else { throw APIError.forbidden("the account is locked") }
        let issued = try dependencies.auth.keyring.issue(
            username: username, workspace: workspace, now: dependencies.time.now, ttl: dependencies.auth.settings.internalTokenTTL)
        return try JSONBody.response(InternalTokenBody(token: issued.token, expiresAt: issued.expiresAt))
    }
}

/// The answer of `POST /internal/users/:u/token`.
struct InternalTokenBody: Encodable {
    var token: String
    var expiresAt: Date
}
