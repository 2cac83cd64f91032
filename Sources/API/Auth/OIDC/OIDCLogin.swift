import Crypto
import CubicleModel
import Foundation
import Store

/// The pieces of an authorization-code flow that are pure values: the PKCE pair, the
/// authorization URL, the redirect check and the claim mapping.
enum OIDCLogin {
    /// A fresh PKCE verifier and its S256 challenge.
    static func pkce() -> (verifier: String, challenge: String) {
        let verifier = Base64URL.random(byteCount: 32)
        return (verifier, Base64URL.encode(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// The provider URL the browser is sent to.
    static func authorizationURL(
        endpoint: String, provider: OIDCProviderSettings, redirectURI: String, state: String, nonce: String, challenge: String
    ) -> String {
        var scopes = provider.scopes
        if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
        let query = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")), ("state", state), ("nonce", nonce), ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ].map { "\($0)=\(OIDCClient.formEncode($1))" }.joined(separator: "&")
        return endpoint + (endpoint.contains("?") ? "&" : "?") + query
    }

    /// `redirect` if it is a local path (no scheme, no host, no `//`), else `/`: no open redirects.
    static func safeRedirect(_ redirect: String?) -> String {
        guard let redirect, redirect.hasPrefix("/"), !redirect.hasPrefix("//"), !redirect.contains("\\"),
            redirect.utf8.count <= 2048, !redirect.contains(where: { $0.isNewline })
        else { return "/" }
        return redirect
    }

    /// Finds or creates the user an ID token names: the first login creates the user from the
    /// claims, later logins refresh fullname and email. A user that came from elsewhere (another
    /// provider, the API, the bootstrap) is not taken over unless the config file declares it.
    static func user(
        for claims: JSONValue, provider: OIDCProviderSettings, staticUsernames: Set<String>, store: any CubicleStore
    ) async throws -> User {
        let mapping = provider.claims
        guard let username = claims[mapping.username]?.stringValue, Username.isValid(username) else {
            throw APIError.forbidden("the identity provider's \(mapping.username) claim is not a valid Cubicle username")
        }
        func text(_ claim: String) -> String? {
            claims[claim]?.stringValue.map { String($0.prefix(256)).replacingOccurrences(of: "\n", with: " ") }
        }
        func number(_ claim: String?) -> Int? {
            guard let claim, let value = claims[claim]?.intValue ?? claims[claim]?.stringValue.flatMap({ Int64($0) }),
                (1_000...2_000_000_000).contains(value)
            else { return nil }
            return Int(value)
        }
        do {
            let existing = try await store.users.get(username)
            guard existing.source == .oidc(provider.id) || staticUsernames.contains(username) else {
                throw APIError.forbidden("user \(username) exists and was not created by \(provider.name)")
            }
            guard !existing.locked else { throw APIError.forbidden("the account is locked") }
            let fullname = text(mapping.fullname), email = text(mapping.email)
            guard (fullname != nil && fullname != existing.fullname) || (email != nil && email != existing.email) else { return existing }
            return try await store.users.update(username, with: UserPatch(fullname: fullname, email: email))
        } catch let error as StoreError where error.code == .notFound {
            return try await store.users.create(
                NewUser(
                    username: username, fullname: text(mapping.fullname) ?? "", email: text(mapping.email) ?? "",
                    uid: number(mapping.uid), gid: number(mapping.gid), roles: mapping.defaultRoles,
                    blueprints: mapping.defaultBlueprints, source: .oidc(provider.id)))
        }
    }
}
