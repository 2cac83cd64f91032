import Foundation

/// What a blueprint's expressions may read when it is instantiated for one workspace.
public struct BlueprintContext: Sendable {
    /// The user the workspace belongs to, as `user.<field>` reads it.
    public struct User: Sendable, Hashable {
        /// `user.username`.
        public var username: String
        /// `user.uid`.
        public var uid: Int64
        /// `user.gid`.
        public var gid: Int64
        /// `user.email` (empty when unknown).
        public var email: String
        /// `user.fullname` (empty when unknown).
        public var fullname: String
        /// `user.organization` (empty when unknown).
        public var organization: String
        /// `user.roles`, tested with `"admin" in user.roles`.
        public var roles: [String]

        /// Creates a user.
        public init(
            username: String, uid: Int64, gid: Int64, email: String = "", fullname: String = "",
            organization: String = "", roles: [String] = []
        ) {
            self.username = username
            self.uid = uid
            self.gid = gid
            self.email = email
            self.fullname = fullname
            self.organization = organization
            self.roles = roles
        }
    }

    /// The workspace's owner.
    public var user: User
    /// The workspace name (its canonical name, also its Kubernetes object name): `workspaceName`
    /// and `metadata.name`.
    public var workspaceName: String
    /// The server's environment, as `env("NAME")` reads it.
    public var environment: BlueprintEnvironment

    /// Creates a context; the blueprint name is supplied by the blueprint being instantiated.
    public init(user: User, workspaceName: String, environment: BlueprintEnvironment) {
        self.user = user
        self.workspaceName = workspaceName
        self.environment = environment
    }

    func activation(blueprint: String) -> CELActivation {
        CELActivation(
            variables: [
                .username: .string(user.username), .uid: .int(user.uid), .gid: .int(user.gid),
                .email: .string(user.email), .fullname: .string(user.fullname),
                .organization: .string(user.organization), .roles: .stringList(user.roles),
                .workspaceName: .string(workspaceName), .metadataName: .string(workspaceName),
                .blueprint: .string(blueprint),
            ],
            environment: environment.lookup
        )
    }
}

/// The environment `env("NAME")` reads: the server's own in production, a fixed map in tests.
public struct BlueprintEnvironment: Sendable {
    /// Returns the variable's value, or nil when it is not set.
    public let lookup: @Sendable (String) -> String?

    /// Wraps a lookup function.
    public init(lookup: @escaping @Sendable (String) -> String?) { self.lookup = lookup }

    /// A fixed set of variables.
    public init(_ variables: [String: String]) { lookup = { variables[$0] } }

    /// The server process's environment, read at each lookup.
    public static let process = BlueprintEnvironment { ProcessInfo.processInfo.environment[$0] }

    /// No variables at all.
    public static let empty = BlueprintEnvironment([:])
}
