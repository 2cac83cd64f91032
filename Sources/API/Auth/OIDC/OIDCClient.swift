import CubicleModel
import Foundation
import Synchronization

/// Talks to one OpenID Connect provider: discovery, the token endpoint and the JWKS, caching the
/// discovery document and the keys (refetched once when an unknown `kid` shows up, for rotation).
final class OIDCClient: Sendable {
    /// The endpoints discovery yields.
    struct Endpoints: Sendable {
        var issuer: String
        var authorization: String
        var token: String
        var jwks: String
    }

    let settings: OIDCProviderSettings
    private let fetcher: HTTPFetcher
    private let cache = Mutex<(endpoints: Endpoints?, keys: [(kid: String, key: JWK)])>((nil, []))
    /// Clock skew tolerated on `exp`/`iat`, in seconds.
    static let leeway: Double = 60

    init(settings: OIDCProviderSettings, fetcher: HTTPFetcher) {
        self.settings = settings
        self.fetcher = fetcher
    }

    /// The provider's endpoints (discovered once).
    func endpoints() async throws -> Endpoints {
        if let cached = cache.withLock({ $0.endpoints }) { return cached }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let document = try await getJSON(base + "/.well-known/openid-configuration")
        guard let issuer = document["issuer"]?.stringValue, let authorization = document["authorization_endpoint"]?.stringValue,
            let token = document["token_endpoint"]?.stringValue, let jwks = document["jwks_uri"]?.stringValue
        else { throw Self.failure("the discovery document of \(settings.name) lacks issuer, endpoints or jwks_uri") }
        guard issuer == settings.issuer || issuer == base else {
            throw Self.failure("\(settings.name) says its issuer is \(issuer.prefix(200)), not \(settings.issuer)")
        }
        let endpoints = Endpoints(issuer: issuer, authorization: authorization, token: token, jwks: jwks)
        cache.withLock { $0.endpoints = endpoints }
        return endpoints
    }

    /// Exchanges an authorization code (with its PKCE verifier) for the raw ID token.
    func exchange(code: String, verifier: String, redirectURI: String) async throws -> String {
        let endpoints = try await endpoints()
        let form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier),
            ("client_id", settings.clientID), ("client_secret", settings.clientSecret),
        ].map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        let reply = try await fetcher.send(
            "POST", endpoints.token, [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            Array(form.utf8))
        guard reply.status == 200 else {
            throw Self.refused("\(settings.name) refused the authorization code (HTTP \(reply.status))")
        }
        guard let document = try? JSONValue.parse(reply.body), let idToken = document["id_token"]?.stringValue else {
            throw Self.failure("\(settings.name) answered the token request without an id_token")
        }
        return idToken
    }

    /// Verifies an ID token: signature against the JWKS, issuer, audience, expiry and nonce; returns its claims.
    func verifyIDToken(_ text: String, nonce: String, now: Date) async throws -> JSONValue {
        guard let jws = JWS(text) else { throw Self.refused("the ID token is malformed") }
        guard try await keyVerifies(jws) else { throw Self.refused("the ID token's signature does not verify") }
        let claims = jws.claims
        let endpoints = try await endpoints()
        guard claims["iss"]?.stringValue == endpoints.issuer else { throw Self.refused("the ID token's issuer is wrong") }
        let audiences = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? claims["aud"]?.stringValue.map { [$0] } ?? []
        guard audiences.contains(settings.clientID) else { throw Self.refused("the ID token is not meant for this client") }
        if audiences.count > 1, let azp = claims["azp"]?.stringValue, azp != settings.clientID {
            throw Self.refused("the ID token was issued to another party")
        }
        guard let exp = claims["exp"]?.intValue, Double(exp) + Self.leeway > now.timeIntervalSince1970 else {
            throw Self.refused("the ID token has expired")
        }
        if let iat = claims["iat"]?.intValue, Double(iat) - Self.leeway > now.timeIntervalSince1970 {
            throw Self.refused("the ID token was issued in the future")
        }
        guard let tokenNonce = claims["nonce"]?.stringValue, Self.constantTimeEqual(tokenNonce, nonce) else {
            throw Self.refused("the ID token's nonce does not match this login")
        }
        guard claims["sub"]?.stringValue?.isEmpty == false else { throw Self.refused("the ID token has no subject") }
        return claims
    }

    private func keyVerifies(_ jws: JWS) async throws -> Bool {
        for attempt in 0..<2 {
            var keys = cache.withLock { $0.keys }
            if keys.isEmpty || attempt == 1 {
                keys = JWK.keySet(try await getJSON(try await endpoints().jwks))
                cache.withLock { $0.keys = keys }
            }
            let candidates = keys.filter { jws.keyID == nil || $0.kid == jws.keyID }
            if candidates.contains(where: { jws.verify(with: $0.key) }) { return true }
            // Refetch only when the kid is unknown (key rotation); a known kid that fails is a bad token.
            if !candidates.isEmpty { return false }
        }
        return false
    }

    private func getJSON(_ url: String) async throws -> JSONValue {
        let reply: HTTPFetcher.Reply
        do {
            reply = try await fetcher.send("GET", url, [("Accept", "application/json")], nil)
        } catch let error as APIError {
            throw error
        } catch {
            throw Self.failure("cannot reach \(settings.name) at \(url.prefix(200)): \(error)")
        }
        guard reply.status == 200, let document = try? JSONValue.parse(reply.body) else {
            throw Self.failure("\(settings.name) answered \(url.prefix(200)) with HTTP \(reply.status)")
        }
        return document
    }

    static func failure(_ message: String) -> APIError { APIError(.badGateway, .internalError, message) }
    static func refused(_ message: String) -> APIError { APIError.forbidden(message) }

    /// `application/x-www-form-urlencoded` / query encoding of one value.
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Compares secrets without an early exit.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
