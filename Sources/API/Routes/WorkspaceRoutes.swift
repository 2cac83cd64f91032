import CubicleModel
import Hummingbird
import Provisioner
import Store

/// `/workspaces`: list, provision (or start), start by name, show, stop and delete. Another user's workspace
/// answers 404, never 403, so names do not leak.
struct WorkspaceRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints.
    enum Endpoint: CaseIterable { case list, provision, show, stopOrDelete, start }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .list: (.get, "workspaces")
        case .provision: (.post, "workspaces")
        case .show: (.get, "workspaces/:name")
        case .stopOrDelete: (.delete, "workspaces/:name")
        case .start: (.post, "workspaces/:name/start")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .list: return try await list(request, context)
        case .provision: return try await provision(request, context)
        case .show:
            let caller = try context.requireCaller()
            let name = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
            return try JSONBody.response(try await dependencies.provisioner.workspace(name))
        case .start:
            let caller = try context.requireCaller()
            let name = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
            guard let owner = dependencies.provisioner.owner(of: name) else { throw APIError.notFound("workspace \"\(name)\" not found") }
            let user = try await dependencies.store.users.get(owner)
            let ticket = try await dependencies.provisioner.start(name, owner: WorkspaceOwner(user))
            return try JSONBody.response(JobTicketBody(ticket), status: .accepted)
        case .stopOrDelete:
            let caller = try context.requireCaller()
            let name = try dependencies.visibleWorkspace(context.parameters.require("name"), for: caller)
            let full = try Self.flag(request, "delete")
            let ticket = full ? try await dependencies.provisioner.delete(name) : try await dependencies.provisioner.stop(name)
            // Its pod goes: pooled SSH connections and SFTP clients to it are of no further use,
            // and the next start must connect afresh rather than find a dead connection first.
            await dependencies.connector.forget(name)
            return try JSONBody.response(
                JobTicketBody(ticket), status: .accepted)
        }
    }

    private func list(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let all = try Self.flag(request, "all")
        var owner: String? = caller.username
        if all {
            try caller.requireAdmin()
            owner = nil
        }
        if let username = request.query["username"].map(String.init) {
            owner = try caller.resolve(username)
        }
        return try JSONBody.response(try await dependencies.provisioner.workspaces(ownedBy: owner))
    }

    private func provision(_ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await JSONBody.decode(ProvisionBody.self, from: request, emptyIsObject: true)
        let username = body.username ?? caller.username
        if username != caller.username {
            guard caller.isAdmin else { throw APIError.forbidden("provisioning for another user needs the admin role") }
        }
        let user: User
        do {
            user = try await dependencies.store.users.get(username)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("user \"\(username)\" not found")
        }
        if let blueprint = body.blueprint, blueprint.isEmpty || blueprint.utf8.count > 253 {
            throw APIError.invalid("blueprint must be a blueprint name")
        }
        let ticket = try await dependencies.provisioner.provision(
            ProvisionRequest(owner: WorkspaceOwner(user), blueprint: body.blueprint, instance: body.instance))
        return try JSONBody.response(
JobTicketBody(ticket), status: .accepted)
    }

    /// A boolean query flag: absent is false; `true`/`1` true, `false`/`0` false, anything else 400.
    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let value = request.query[Substring(name)] else { return false }
        switch value.lowercased() {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw APIError.invalid("query parameter \(name) must be true or false")
        }
    }
}
