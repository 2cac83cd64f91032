import Foundation

/// How an OpenID Connect provider's claims become a Cubicle user.
public struct ClaimMapping: Sendable, Hashable {
    /// The claim holding the username (default `preferred_username`).
    public var username: String
    /// The claim holding the display name.
    public var fullname: String
    /// The claim holding the e-mail address.
    public var email: String
    /// A numeric claim to use as uid; nil lets the store allocate one.
    public var uid: String?
    /// A numeric claim to use as gid; nil uses the uid.
    public var gid: String?
    /// Roles a user onboarded through this provider starts with.
    public var defaultRoles: [String]
    /// Blueprints a user onboarded through this provider may provision.
    public var defaultBlueprints: [String]

    /// Creates a mapping; the defaults suit most providers.
    public init(
        username: String = "preferred_username", fullname: String = "name", email: String = "email", uid: String? = nil,
        gid: String? = nil, defaultRoles: [String] = [], defaultBlueprints: [String] = ["*"]
    ) {
        self.username = username
        self.fullname = fullname
        self.email = email
        self.uid = uid
        self.gid = gid
        self.defaultRoles = defaultRoles
        self.defaultBlueprints = defaultBlueprints
    }
}

/// One configured OpenID Connect provider (`auth.providers[]`).
public struct OIDCProviderSettings: Sendable, Hashable {
    /// The short id; the provider is named `oidc/<id>` in the API.
    public var id: String
    /// The issuer URL; discovery is `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    /// The OAuth client id.
    public var clientID: String
    /// The OAuth client secret (resolved from the file or environment at load time).
    public var clientSecret: String
    /// Requested scopes; `openid` is always included.
    public var scopes: [String]
    /// The name shown on the login page.
    public var displayName: String
    /// How claims become a user.
    public var claims: ClaimMapping

    /// Creates provider settings.
    public init(
        id: String, issuer: String, clientID: String, clientSecret: String, scopes: [String] = ["openid", "profile", "email"],
        displayName: String? = nil, claims: ClaimMapping = ClaimMapping()
    ) {
        self.id = id
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.displayName = displayName ?? id
        self.claims = claims
    }

    /// `oidc/<id>`.
    public var name: String { "oidc/\(id)" }
}

/// Everything about signing in that the API needs (`auth.*` in the config file).
public struct AuthSettings: Sendable {
    /// The OpenID Connect providers.
    public var providers: [OIDCProviderSettings]
    /// How long a browser session lasts without use, in seconds (sliding).
    public var sessionTTL: Double
    /// The externally visible base URL (`https://cubicle.example.com`); nil derives it from the
    /// request's Host header. Decides the callback URL and whether cookies are `Secure`.
    public var publicURL: String?
    /// Users declared in the config file: they may sign in through any provider.
    public var staticUsernames: Set<String>
    /// How long an OIDC flow or a CLI handoff may take, in seconds.
    public var loginTimeout: Double
    /// How long internal JWTs live, in seconds.
    public var internalTokenTTL: Double

    /// Creates auth settings.
    public init(
        providers: [OIDCProviderSettings] = [], sessionTTL: Double = 12 * 3600, publicURL: String? = nil,
        staticUsernames: Set<String> = [], loginTimeout: Double = 600, internalTokenTTL: Double = 900
    ) {
        self.providers = providers
        self.sessionTTL = sessionTTL
        self.publicURL = publicURL
        self.staticUsernames = staticUsernames
        self.loginTimeout = loginTimeout
        self.internalTokenTTL = internalTokenTTL
    }

    /// The provider called `name` (`oidc/<id>` or `<id>`).
    func provider(named name: String) -> OIDCProviderSettings? {
        providers.first { $0.name == name || $0.id == name }
    }
}

/// A plain HTTP exchange for talking to identity providers, injected so the API does not pick a
/// transport (the server passes libcurl; tests may pass anything real).
public struct HTTPFetcher: Sendable {
    /// One request's answer.
    public struct Reply: Sendable {
        /// The status code.
        public var status: Int
        /// The body.
        public var body: [UInt8]

        /// Creates a reply.
        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// Sends `method url` with `headers` and `body`.
    public let send: @Sendable (_ method: String, _ url: String, _ headers: [(String, String)], _ body: [UInt8]?) async throws -> Reply

    /// Wraps a transport.
    public init(send: @escaping @Sendable (_ method: String, _ url: String, _ headers: [(String, String)], _ body: [UInt8]?) async throws -> Reply) {
        self.send = send
    }

    /// A fetcher that refuses everything (no providers configured).
    public static let unavailable = HTTPFetcher { _, url, _, _ in
        throw APIError(.badGateway, .internalError, "no HTTP client is configured to reach \(url)")
    }
}
