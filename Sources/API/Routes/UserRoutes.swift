import CubicleModel
import Hummingbird
import Store

/// `/me/...` and `/users/...`: profiles, the user list and creation (admin), and the blueprints
/// a user may provision, profile changes and deletion (UserRoutes+Edit). `me` always names the caller.
struct UserRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints; `my…` are the caller's own.
    enum Endpoint: CaseIterable { case myProfile, userProfile, myBlueprints, userBlueprints, list, create, patchProfile, delete }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .myProfile: (.get, "me/profile")
        case .userProfile: (.get, "users/:u/profile")
        case .myBlueprints: (.get, "me/blueprints")
        case .userBlueprints: (.get, "users/:u/blueprints")
        case .list: (.get, "users")
        case .create: (.post, "users")
        case .patchProfile: (.patch, "users/:u/profile")
        case .delete: (.delete, "users/:u")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .myProfile: return try await profile("me", context)
        case .userProfile: return try await profile(context.parameters.require("u"), context)
        case .myBlueprints: return try await blueprints("me", context)
        case .userBlueprints: return try await blueprints(context.parameters.require("u"), context)
        case .list:
            try context.requireCaller().requireAdmin()
            return try JSONBody.response(try await dependencies.store.users.list().map(UserProfileBody.init))
        case .create: return try await create(request, context)
        case .patchProfile: return try await patch(context.parameters.require("u"), request, context)
        case .delete: return try await delete(context.parameters.require("u"), context)
        }
    }

    private func user(_ segment: String, _ context: CubicleRequestContext) async throws -> User {
        let name = try context.requireCaller().resolve(segment)
        do {
            return try await dependencies.store.users.get(name)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("user \"\(name.prefix(64))\" not found")
        }
    }

    private func profile(_ segment: String, _ context: CubicleRequestContext) async throws -> Response {
        try JSONBody.response(UserProfileBody(user: try await user(segment, context)))
    }

    private func blueprints(_ segment: String, _ context: CubicleRequestContext) async throws -> Response {
        let user = try await user(segment, context)
        let allowed = dependencies.catalog().summaries.filter { user.blueprints.contains("*") || user.blueprints.contains($0.name) }
        return try JSONBody.response(allowed)
    }

    private func create(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        try context.requireCaller().requireAdmin()
        let body = try await JSONBody.decode(NewUserBody.self, from: request)
        guard Username.isValid(body.username) else {
            throw APIError.invalid("username must be 1-32 lowercase letters, digits, '-' or '_', starting with a letter")
        }
        try UserFieldRules.check(
            fullname: body.fullname, email: body.email, organization: body.organization, uid: body.uid, gid: body.gid,
            shell: body.shell, roles: nil, blueprints: body.blueprints)
        let created = try await dependencies.store.users.create(
            NewUser(
                username: body.username, fullname: body.fullname ?? "", email: body.email ?? "", organization: body.organization ?? "",
                uid: body.uid, gid: body.gid, shell: body.shell ?? "/bin/bash", sudo: body.sudo ?? false, roles: body.roles ?? [],
                blueprints: body.blueprints ?? ["*"], source: .api))
        return try JSONBody.response(UserProfileBody(user: created), status: .created)
    }
}
