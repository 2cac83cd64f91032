/// An authenticated user of the API server.
public struct UserInfo: Sendable, Hashable {
    /// The user name (`admin`, `system:serviceaccount:ns:sa`).
    public var name: String
    /// The groups (`system:masters`, `system:serviceaccounts`).
    public var groups: [String]

    /// Creates a user.
    public init(name: String, groups: [String] = []) {
        self.name = name
        self.groups = groups
    }

    /// The user of unauthenticated requests on a plain-HTTP cluster.
    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
}
