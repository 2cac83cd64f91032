import Foundation

/// Where a user record came from.
public struct UserSource: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The stored form: `static`, `api` or `oidc/<provider id>`.
    public let rawValue: String

    /// Wraps a stored form.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The stored form.
    public var description: String { rawValue }

    /// Declared in Cubicle's configuration file.
    public static let `static` = UserSource(rawValue: "static")
    /// Created through the REST API by an admin.
    public static let api = UserSource(rawValue: "api")
    /// Onboarded by signing in with an OpenID Connect provider.
    public static func oidc(_ providerID: String) -> UserSource { UserSource(rawValue: "oidc/\(providerID)") }
}

/// A Cubicle user (API.md `UserProfile`, plus `updatedAt`).
public struct User: Sendable, Hashable {
    /// The login name and primary key.
    public var username: String
    /// The display name.
    public var fullname: String
    /// The e-mail address.
    public var email: String
    /// The organization the user belongs to.
    public var organization: String
    /// The POSIX uid inside workspaces; unique.
    public var uid: Int
    /// The POSIX primary gid inside workspaces.
    public var gid: Int
    /// The login shell inside workspaces.
    public var shell: String
    /// Whether the user may `sudo` in workspaces whose blueprint allows it.
    public var sudo: Bool
    /// Roles such as `admin`.
    public var roles: [String]
    /// Blueprint names the user may provision; `"*"` allows all.
    public var blueprints: [String]
    /// Where the record came from.
    public var source: UserSource
    /// A locked user cannot sign in or use tokens.
    public var locked: Bool
    /// When the record was created.
    public var createdAt: Date
    /// When the record last changed.
    public var updatedAt: Date

    /// Creates a user record.
    public init(
        username: String, fullname: String, email: String, organization: String, uid: Int, gid: Int,
        shell: String, sudo: Bool, roles: [String], blueprints: [String], source: UserSource, locked: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.username = username
        self.fullname = fullname
        self.email = email
        self.organization = organization
        self.uid = uid
        self.gid = gid
        self.shell = shell
        self.sudo = sudo
        self.roles = roles
        self.blueprints = blueprints
        self.source = source
        self.locked = locked
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What it takes to create a user; the store fills in times and, when absent, uid and gid.
public struct NewUser: Sendable, Hashable {
    /// The login name; must satisfy `Username.isValid`.
    public var username: String
    /// The display name.
    public var fullname: String
    /// The e-mail address.
    public var email: String
    /// The organization.
    public var organization: String
    /// The uid; nil allocates one above every uid in use or ever allocated (at least 1000).
    public var uid: Int?
    /// The gid; nil uses the uid.
    public var gid: Int?
    /// The login shell.
    public var shell: String
    /// Whether the user may `sudo`.
    public var sudo: Bool
    /// Roles such as `admin`.
    public var roles: [String]
    /// Blueprint names the user may provision; `"*"` allows all.
    public var blueprints: [String]
    /// Where the record comes from.
    public var source: UserSource
    /// Whether the user starts locked.
    public var locked: Bool

    /// Describes a new user; everything but the name has a default.
    public init(
        username: String, fullname: String = "", email: String = "", organization: String = "",
        uid: Int? = nil, gid: Int? = nil, shell: String = "/bin/bash", sudo: Bool = false,
        roles: [String] = [], blueprints: [String] = [], source: UserSource = .api, locked: Bool = false
    ) {
        self.username = username
        self.fullname = fullname
        self.email = email
        self.organization = organization
        self.uid = uid
        self.gid = gid
        self.shell = shell
        self.sudo = sudo
        self.roles = roles
        self.blueprints = blueprints
        self.source = source
        self.locked = locked
    }
}

/// A partial update of a user: nil fields stay as they are.
public struct UserPatch: Sendable, Hashable {
    /// New display name.
    public var fullname: String?
    /// New e-mail address.
    public var email: String?
    /// New organization.
    public var organization: String?
    /// New uid (must stay unique).
    public var uid: Int?
    /// New gid.
    public var gid: Int?
    /// New login shell.
    public var shell: String?
    /// New sudo flag.
    public var sudo: Bool?
    /// New roles (replaces the list).
    public var roles: [String]?
    /// New blueprint list (replaces the list).
    public var blueprints: [String]?
    /// New source.
    public var source: UserSource?
    /// New lock state.
    public var locked: Bool?

    /// Creates a patch; pass only what changes.
    public init(
        fullname: String? = nil, email: String? = nil, organization: String? = nil, uid: Int? = nil,
        gid: Int? = nil, shell: String? = nil, sudo: Bool? = nil, roles: [String]? = nil,
        blueprints: [String]? = nil, source: UserSource? = nil, locked: Bool? = nil
    ) {
        self.fullname = fullname
        self.email = email
        self.organization = organization
        self.uid = uid
        self.gid = gid
        self.shell = shell
        self.sudo = sudo
        self.roles = roles
        self.blueprints = blueprints
        self.source = source
        self.locked = locked
    }

    /// `user` with this patch applied.
    public func applied(to user: User) -> User {
        var user = user
        if let fullname { user.fullname = fullname }
        if let email { user.email = email }
        if let organization { user.organization = organization }
        if let uid { user.uid = uid }
        if let gid { user.gid = gid }
        if let shell { user.shell = shell }
        if let sudo { user.sudo = sudo }
        if let roles { user.roles = roles }
        if let blueprints { user.blueprints = blueprints }
        if let source { user.source = source }
        if let locked { user.locked = locked }
        return user
    }
}
