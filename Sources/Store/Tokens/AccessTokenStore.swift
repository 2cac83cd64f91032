import Foundation

/// Personal access tokens. Only a SHA-256 digest of each token is stored.
public protocol AccessTokenStore: Sendable {
    /// Issues a token for an existing user; the plaintext is returned here and nowhere else.
    func create(_ request: NewAccessToken) async throws -> IssuedAccessToken

    /// The live token matching `presented`, or nil when it is malformed, unknown, revoked or expired.
    func find(presented: String) async throws -> AccessToken?

    /// Records use of a token at `at`; calls within a minute of the last recorded use are coalesced.
    func touch(id: String, at: Date) async throws

    /// Revokes one of `username`'s tokens, effective for the next lookup; `not_found` otherwise.
    func revoke(id: String, username: String) async throws

    /// `username`'s tokens (expired ones too), newest first.
    func list(username: String) async throws -> [AccessToken]
}
