import CubicleModel
import Foundation

/// What the API needs to sign people in and to issue internal tokens.
public struct AuthServices: Sendable {
    /// The settings from the config file.
    public var settings: AuthSettings
    /// Cubicle's JWT signing keys.
    public var keyring: InternalKeyring
    /// The AES-256 key sealing credential secrets (32 bytes from the data directory).
    public var credentialKey: [UInt8]?
    /// One client per configured provider, by provider name (`oidc/<id>`).
    let clients: [String: OIDCClient]

    /// Creates the services; `fetcher` reaches the providers.
    public init(
        settings: AuthSettings = AuthSettings(), keyring: InternalKeyring = InternalKeyring(keys: []), credentialKey: [UInt8]? = nil,
        fetcher: HTTPFetcher = .unavailable
    ) {
        self.settings = settings
        self.credentialKey = credentialKey
        self.keyring = keyring
        var clients: [String: OIDCClient] = [:]
        for provider in settings.providers { clients[provider.name] = OIDCClient(settings: provider, fetcher: fetcher) }
        self.clients = clients
    }

    /// The client for `name` (`oidc/<id>` or `<id>`), or a 400.
    func client(named name: String?) throws -> OIDCClient {
        if let name, let provider = settings.provider(named: name), let client = clients[provider.name] { return client }
        if name == nil, settings.providers.count == 1, let only = clients.values.first { return only }
        throw APIError.invalid(name == nil ? "provider is required" : "unknown provider \"\(name!.prefix(64))\"")
    }
}
