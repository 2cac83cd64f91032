import Foundation

/// The service a credential is for.
public enum CredentialService: String, Sendable, Hashable, CaseIterable {
    /// Git hosting (`git`).
    case git
    /// A container registry (`registry`).
    case registry
    /// A Kubernetes ServiceAccount (`kubernetes`); its tokens are minted on demand, not stored.
    case kubernetes
}

/// A credential record (API.md `Credential`) without its secret.
public struct Credential: Sendable, Hashable {
    /// The credential's id.
    public var id: String
    /// The owner.
    public var username: String
    /// The service it is for.
    public var serviceName: CredentialService
    /// Where it applies (a host, a registry, a namespace); the narrowest match wins.
    public var serviceScope: String
    /// Where it came from (`admin`, a vault path, …).
    public var credentialSource: String
    /// The identity it acts as (a user name, a ServiceAccount).
    public var subject: String
    /// Whether it is in use.
    public var isActive: Bool
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?

    /// Creates a credential record.
    public init(
        id: String, username: String, serviceName: CredentialService, serviceScope: String,
        credentialSource: String, subject: String, isActive: Bool, createdAt: Date, updatedAt: Date,
        expiresAt: Date?
    ) {
        self.id = id
        self.username = username
        self.serviceName = serviceName
        self.serviceScope = serviceScope
        self.credentialSource = credentialSource
        self.subject = subject
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }
}

/// A credential together with its secret, still encrypted by the caller's key.
public struct SealedCredential: Sendable, Hashable {
    /// The record.
    public var credential: Credential
    /// The caller-encrypted secret; nil when none is stored (e.g. `kubernetes`).
    public var ciphertext: [UInt8]?

    /// Pairs a record with its ciphertext.
    public init(credential: Credential, ciphertext: [UInt8]?) {
        self.credential = credential
        self.ciphertext = ciphertext
    }
}

/// What it takes to store a credential. The store never sees the plaintext secret.
public struct NewCredential: Sendable, Hashable {
    /// The owner; must exist.
    public var username: String
    /// The service it is for.
    public var serviceName: CredentialService
    /// Where it applies.
    public var serviceScope: String
    /// Where it came from.
    public var credentialSource: String
    /// The identity it acts as.
    public var subject: String
    /// The caller-encrypted secret, if any.
    public var ciphertext: [UInt8]?
    /// Whether it is in use.
    public var isActive: Bool
    /// When it stops working, if ever.
    public var expiresAt: Date?

    /// Describes a credential to store.
    public init(
        username: String, serviceName: CredentialService, serviceScope: String, credentialSource: String,
        subject: String, ciphertext: [UInt8]?, isActive: Bool = true, expiresAt: Date? = nil
    ) {
        self.username = username
        self.serviceName = serviceName
        self.serviceScope = serviceScope
        self.credentialSource = credentialSource
        self.subject = subject
        self.ciphertext = ciphertext
        self.isActive = isActive
        self.expiresAt = expiresAt
    }
}

/// Users' credentials for outside services, secrets sealed by the caller.
public protocol CredentialStore: Sendable {
    /// Stores a credential; `already_exists` for a second one with the same user, service and scope.
    func create(_ credential: NewCredential) async throws -> Credential

    /// `username`'s credentials, without ciphertext, by service and scope.
    func list(username: String) async throws -> [Credential]

    /// One credential with its ciphertext.
    func get(id: String) async throws -> SealedCredential

    /// Deletes one of `username`'s credentials; `not_found` otherwise.
    func delete(id: String, username: String) async throws
}
