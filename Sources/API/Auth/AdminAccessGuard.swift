import CubicleModel
import Foundation
import Store

/// Keeps a way in for an admin. A change that would leave no usable admin credential — revoking
/// the last admin token, locking or deleting the last admin, taking away the last admin role — is
/// refused with 409, unless an admin can still sign in through a configured OpenID Connect
/// provider. (When it happens anyway, `cubicle admin token` on the server's data directory is the
/// break-glass way back in.)
struct AdminAccessGuard: Sendable {
    let store: any CubicleStore
    let settings: AuthSettings
    let time: any TimeSource

    /// A change to check before it is made.
    enum Change: Sendable {
        /// Revoking token `id` of `username`.
        case revokeToken(id: String, username: String)
        /// Locking `username`.
        case lock(username: String)
        /// Taking the admin role from `username`.
        case dropAdmin(username: String)
        /// Deleting `username`.
        case delete(username: String)
    }

    /// Throws 409 when `change` would leave no admin able to get in.
    func check(_ change: Change) async throws {
        let users = try await store.users.list()
        let providers = Set(settings.providers.map { "oidc/\($0.id)" })
        var admins = users.filter { $0.roles.contains("admin") && !$0.locked }
        switch change {
        case .lock(let username), .dropAdmin(let username), .delete(let username):
            // Only an admin's own change can matter.
            guard admins.contains(where: { $0.username == username }) else { return }
            admins.removeAll { $0.username == username }
        case .revokeToken(_, let username):
            guard admins.contains(where: { $0.username == username }) else { return }
        }
        // An admin who signs in through a configured provider can always mint a new token.
        if admins.contains(where: { providers.contains($0.source.rawValue) }) { return }
        let now = time.now
        for admin in admins {
            let usable = try await store.accessTokens.list(username: admin.username).filter { token in
                if case .revokeToken(let id, _) = change, token.id == id { return false }
                if let expiresAt = token.expiresAt, expiresAt <= now { return false }
                return AccessPolicy.permits(token.scopes.isEmpty ? nil : token.scopes, "admin")
            }
            if !usable.isEmpty { return }
        }
        throw APIError(.conflict, .conflict, Self.message(for: change))
    }

    private static func message(for change: Change) -> String {
        let what = switch change {
        case .revokeToken: "revoking this token"
        case .lock(let username): "locking \(username)"
        case .dropAdmin(let username): "removing the admin role from \(username)"
        case .delete(let username): "deleting \(username)"
        }
        return "\(what) would leave no usable admin credential: issue another admin token (or sign in an admin through OpenID Connect) first;"
            + " if every admin is already locked out, run `cubicle admin token --data-dir <the server's data directory>`"
    }
}
