/// Everything Cubicle persists, as one set of repositories over one database. SQLite implements it
/// today; a Postgres implementation for several replicas implements the same protocols.
public protocol CubicleStore: Sendable {
    /// Provisioning jobs and their events.
    var jobs: any JobStore { get }
    /// Users.
    var users: any UserStore { get }
    /// Personal access tokens.
    var accessTokens: any AccessTokenStore { get }
    /// Browser sessions.
    var webSessions: any WebSessionStore { get }
    /// OIDC flows in flight and CLI token handoffs.
    var loginStates: any LoginStateStore { get }
    /// Shell session records.
    var shellSessions: any ShellSessionStore { get }
    /// Resumable uploads.
    var uploads: any UploadStore { get }
    /// Credentials for outside services.
    var credentials: any CredentialStore { get }

    /// Throws when the database cannot answer a trivial query (for the health check).
    func ping() async throws

    /// Finishes queued work and releases the database; later calls fail.
    func close() async
}
