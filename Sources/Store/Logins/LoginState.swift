import Foundation

/// An OpenID Connect authorization-code flow in flight, keyed by its `state` parameter.
public struct LoginState: Sendable, Hashable {
    /// The `state` sent to the provider and expected back on the callback.
    public var state: String
    /// The `nonce` the ID token must carry.
    public var nonce: String
    /// The PKCE code verifier whose challenge went to the provider.
    public var codeVerifier: String
    /// The provider (`oidc/<id>`).
    public var provider: String
    /// Where to send the browser after the callback.
    public var redirect: String
    /// Whether the flow should end by minting a personal access token (CLI login).
    public var createPAT: Bool
    /// The CLI's handoff key, when a CLI is polling for the token.
    public var handoffKey: String?
    /// When the flow started.
    public var createdAt: Date
    /// When the flow is abandoned.
    public var expiresAt: Date

    /// Creates a login state.
    public init(
        state: String, nonce: String, codeVerifier: String, provider: String, redirect: String, createPAT: Bool,
        handoffKey: String?, createdAt: Date, expiresAt: Date
    ) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.provider = provider
        self.redirect = redirect
        self.createPAT = createPAT
        self.handoffKey = handoffKey
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What a CLI polling `GET /auth/token?state=` gets.
public enum HandoffStatus: Sendable, Hashable {
    /// The browser flow has not finished yet.
    case pending
    /// The flow finished: the user and their new token. Returned once; the handoff is gone after.
    case ready(username: String, token: String)
}

/// OIDC flows in flight and CLI token handoffs.
public protocol LoginStateStore: Sendable {
    /// Records a flow; `already_exists` if the state is taken.
    func create(_ state: LoginState) async throws

    /// Removes and returns the flow for `state`: a state works once. `not_found` if unknown or expired.
    func take(state: String) async throws -> LoginState

    /// Opens a pending handoff for a CLI that will poll with `key`; `already_exists` if open.
    func beginHandoff(key: String, expiresAt: Date) async throws

    /// Fills a pending handoff; `not_found` if unknown or expired, `conflict` if already filled.
    func completeHandoff(key: String, username: String, token: String) async throws

    /// `.pending`, or `.ready` exactly once (the handoff is deleted as it is read).
    func pollHandoff(key: String) async throws -> HandoffStatus

    /// Deletes flows and handoffs whose expiry is at or before `now`; returns how many went.
    func deleteExpired(now: Date) async throws -> Int
}
