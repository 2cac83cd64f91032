import CubicleModel
import Foundation
import Hummingbird
import Store

/// `PATCH /users/:u/profile` and `DELETE /users/:u`. Admins may change every profile field; a
/// user may change only their own fullname, email and shell. A user with workspaces (running or
/// stopped, whose volumes still hold files under their uid) cannot be deleted: 409 until the
/// workspaces are deleted, so no workspace is left without an owner. Locking or deleting an
/// account also ends its open shells (their clients get an `InternalError` status saying why).
extension UserRoutes {
    func patch(_ segment: String, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let username = try caller.resolve(segment)
        let body = try await JSONBody.decode(UserPatchBody.self, from: request)
        try AccessPolicy.authorizeProfileChange(body.fields, by: caller)
        try UserFieldRules.check(
            fullname: body.fullname, email: body.email, organization: body.organization, uid: body.uid, gid: body.gid,
            shell: body.shell, roles: body.roles, blueprints: body.blueprints)
        // An admin cannot lock themselves out or drop their own admin role by accident.
        let dropsOwnAdmin = caller.isAdmin && body.roles.map { !$0.contains("admin") } == true
        if username == caller.username, body.locked == true || dropsOwnAdmin {
            throw APIError(.conflict, .conflict, "an admin cannot lock themselves or remove their own admin role")
        }
        if body.locked == true { try await dependencies.adminAccess.check(.lock(username: username)) }
        if let roles = body.roles, !roles.contains("admin") { try await dependencies.adminAccess.check(.dropAdmin(username: username)) }
        let patch = UserPatch(
            fullname: body.fullname, email: body.email, organization: body.organization, uid: body.uid, gid: body.gid,
            shell: body.shell, sudo: body.sudo, roles: body.roles, blueprints: body.blueprints, locked: body.locked)
        do {
            let updated = try await dependencies.store.users.update(username, with: patch)
            // A locked account loses its open shells too, not only its next request.
            if body.locked == true { dependencies.shells.end(username: username, reason: "the account was locked") }
            return try JSONBody.response(UserProfileBody(user: updated))
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("user \"\(username.prefix(64))\" not found")
        } catch let error as StoreError where error.code == .alreadyExists {
            throw APIError(.conflict, .alreadyExists, "uid \(body.uid.map(String.init) ?? "") is taken by another user")
        }
    }

    func delete(_ segment: String, _ context: CubicleRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        try caller.requireAdmin()
        let username = try caller.resolve(segment)
        guard username != caller.username else { throw APIError(.conflict, .conflict, "an admin cannot delete themselves") }
        // A config-file user would only come back at the next start.
        if let existing = try? await dependencies.store.users.get(username), existing.source == .static {
            throw APIError(
                .conflict, .conflict, "user \(username) is declared in the config file (auth.staticUsers); remove it there (lock it here meanwhile)")
        }
        try await dependencies.adminAccess.check(.delete(username: username))
        let workspaces = try await dependencies.provisioner.workspaces(ownedBy: username)
        guard workspaces.isEmpty else {
            let names = workspaces.prefix(5).map(\.name).joined(separator: ", ")
            throw APIError(.conflict, .conflict, "user \(username) still has workspaces (\(names)); delete them first")
        }
        do {
            // Tokens, web sessions and credentials go with the row, so every credential fails at once.
            try await dependencies.store.users.delete(username)
            dependencies.shells.end(username: username, reason: "the account was deleted")
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("user \"\(username.prefix(64))\" not found")
        }
        return Response(status: .noContent)
    }
}

/// Limits on profile fields, shared by create and patch.
enum UserFieldRules {
    /// The roles a user can have.
    static let roles: Set<String> = ["admin", "user"]

    static func check(
        fullname: String?, email: String?, organization: String?, uid: Int?, gid: Int?, shell: String?, roles: [String]?,
        blueprints: [String]?
    ) throws {
        if let shell, !shell.hasPrefix("/") || shell.utf8.count > 256 || shell.contains("\n") {
            throw APIError.invalid("shell must be an absolute path")
        }
        if let uid, !(1_000...2_000_000_000).contains(uid) { throw APIError.invalid("uid must be from 1000 to 2000000000") }
        if let gid, !(1_000...2_000_000_000).contains(gid) { throw APIError.invalid("gid must be from 1000 to 2000000000") }
        for text in [fullname, email, organization].compactMap({ $0 }) where text.utf8.count > 256 || text.contains("\n") {
            throw APIError.invalid("fullname, email and organization must be single lines of at most 256 bytes")
        }
        if let roles, roles.count > 8 || !roles.allSatisfy(Self.roles.contains) {
            throw APIError.invalid("roles must be among \(Self.roles.sorted().joined(separator: ", "))")
        }
        if let blueprints, blueprints.count > 256 || !blueprints.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 128 && !$0.contains(where: \.isWhitespace) }) {
            throw APIError.invalid("blueprints must be blueprint names or \"*\"")
        }
    }
}

/// The body of `PATCH /users/:u/profile`: every field optional, unknown fields refused.
struct UserPatchBody: Decodable {
    var fullname: String?
    var email: String?
    var organization: String?
    var uid: Int?
    var gid: Int?
    var shell: String?
    var sudo: Bool?
    var roles: [String]?
    var blueprints: [String]?
    var locked: Bool?
    /// The fields the body names.
    var fields: Set<String> = []

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let known: Set<String> = ["fullname", "email", "organization", "uid", "gid", "shell", "sudo", "roles", "blueprints", "locked"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            guard Self.known.contains(key.stringValue) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [key], debugDescription: "unknown field"))
            }
            fields.insert(key.stringValue)
        }
        fullname = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "fullname"))
        email = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "email"))
        organization = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "organization"))
        uid = try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "uid"))
        gid = try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "gid"))
        shell = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "shell"))
        sudo = try container.decodeIfPresent(Bool.self, forKey: Key(stringValue: "sudo"))
        roles = try container.decodeIfPresent([String].self, forKey: Key(stringValue: "roles"))
        blueprints = try container.decodeIfPresent([String].self, forKey: Key(stringValue: "blueprints"))
        locked = try container.decodeIfPresent(Bool.self, forKey: Key(stringValue: "locked"))
    }
}
