import Foundation

/// A personal access token as stored: everything but the secret.
public struct AccessToken: Sendable, Hashable {
    /// The token's id (not secret; used to list and revoke).
    public var id: String
    /// The owner.
    public var username: String
    /// The owner's label for it.
    public var name: String
    /// What the token may do; empty means everything the owner may do.
    public var scopes: [String]
    /// The first characters of the token and an ellipsis, so people can tell tokens apart.
    public var preview: String
    /// When it was created.
    public var createdAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it was last presented (coalesced to about a minute).
    public var lastUsedAt: Date?

    /// Creates a token record.
    public init(
        id: String, username: String, name: String, scopes: [String], preview: String, createdAt: Date,
        expiresAt: Date?, lastUsedAt: Date?
    ) {
        self.id = id
        self.username = username
        self.name = name
        self.scopes = scopes
        self.preview = preview
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// What it takes to issue a token.
public struct NewAccessToken: Sendable, Hashable {
    /// The owner; must exist.
    public var username: String
    /// The owner's label for it.
    public var name: String
    /// What the token may do.
    public var scopes: [String]
    /// When it stops working, if ever.
    public var expiresAt: Date?

    /// Describes a token to issue.
    public init(username: String, name: String, scopes: [String] = [], expiresAt: Date? = nil) {
        self.username = username
        self.name = name
        self.scopes = scopes
        self.expiresAt = expiresAt
    }
}

/// A freshly issued token: the record and the only copy of the plaintext there will ever be.
public struct IssuedAccessToken: Sendable {
    /// The stored record.
    public var token: AccessToken
    /// `cub_…`; show it once, then forget it.
    public var plaintext: String
}

/// The shape of Cubicle's personal access tokens: `cub_` + 32 random bytes in unpadded base64url.
public enum AccessTokenFormat {
    /// Every token starts with this.
    public static let prefix = "cub_"
    /// How many random bytes a token carries.
    public static let randomByteCount = 32
    /// How many characters of the token the preview shows.
    public static let previewLength = 8

    /// The full length of a token.
    public static var length: Int { prefix.utf8.count + Secrets.base64URLLength(byteCount: randomByteCount) }

    /// A new random token.
    public static func generate() -> String { prefix + Secrets.randomToken(byteCount: randomByteCount) }

    /// True when `text` has a token's shape (checked before any hashing or lookup).
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.dropFirst(prefix.count)
        return Secrets.isBase64URL(body, length: Secrets.base64URLLength(byteCount: randomByteCount))
    }

    /// The preview shown in token lists (`cub_AbCd…`).
    public static func preview(of token: String) -> String { String(token.prefix(previewLength)) + "…" }
}
