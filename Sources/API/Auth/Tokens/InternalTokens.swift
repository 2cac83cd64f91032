import Crypto
import CubicleModel
import Foundation

/// Cubicle's own signing keys for short-lived user JWTs (`EdDSA`/Ed25519). The newest key signs;
/// every key still listed verifies, so a rotation does not cut off tokens already issued.
public struct InternalKeyring: Sendable {
    /// One key and its id.
    public struct Key: Sendable {
        /// The `kid` header value.
        public var id: String
        /// The private key's raw 32 bytes (kept as bytes: the key type is not `Sendable`).
        let rawKey: [UInt8]

        /// Pairs an id with a key.
        public init(id: String, privateKey: Curve25519.Signing.PrivateKey) {
            self.id = id
            self.rawKey = Array(privateKey.rawRepresentation)
        }

        /// The private key.
        var privateKey: Curve25519.Signing.PrivateKey {
            // The bytes came from a valid key, so this cannot fail.
            (try? Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)) ?? Curve25519.Signing.PrivateKey()
        }
    }

    /// The keys, oldest first; the last one signs.
    public var keys: [Key]

    /// Creates a keyring; an empty one issues nothing and verifies nothing.
    public init(keys: [Key]) { self.keys = keys }

    /// The issuer and audience of every internal token.
    static let issuer = "cubicle"
    /// The scopes an internal token carries: enough for credential helpers, nothing administrative.
    public static let scopes = ["user:read", "credentials:read", "workspace:read"]

    /// A signed token for `username` valid for `ttl` seconds from `now`.
    func issue(username: String, workspace: String, now: Date, ttl: Double) throws -> (token: String, expiresAt: Date) {
        guard let key = keys.last else { throw APIError(.serviceUnavailable, .internalError, "no internal signing key is configured") }
        let issued = Int64(now.timeIntervalSince1970)
        let expires = issued + Int64(ttl)
        let claims: JSONValue = [
            "iss": .string(Self.issuer), "aud": .string(Self.issuer), "sub": .string(username), "iat": .int(issued),
            "exp": .int(expires), "jti": .string(Base64URL.random(byteCount: 12)), "workspace": .string(workspace),
            "scope": .string(Self.scopes.joined(separator: " ")),
        ]
        do {
            let token = try JWS.signEdDSA(claims: claims, keyID: key.id, key: key.privateKey)
            return (token, Date(timeIntervalSince1970: TimeInterval(expires)))
        } catch {
            throw APIError(.internalServerError, .internalError, "cannot sign an internal token")
        }
    }

    /// The subject and scopes of a valid, unexpired internal token; nil otherwise.
    func verify(_ text: String, now: Date) -> (username: String, scopes: [String])? {
        guard let jws = JWS(text), jws.algorithm == "EdDSA", let kid = jws.keyID,
            let key = keys.first(where: { $0.id == kid }),
            jws.verify(with: .ed25519(Array(key.privateKey.publicKey.rawRepresentation))),
            jws.claims["iss"]?.stringValue == Self.issuer, jws.claims["aud"]?.stringValue == Self.issuer,
            let exp = jws.claims["exp"]?.intValue, Double(exp) > now.timeIntervalSince1970,
            let subject = jws.claims["sub"]?.stringValue
        else { return nil }
        let scopes = (jws.claims["scope"]?.stringValue ?? "").split(separator: " ").map(String.init)
        return (subject, scopes)
    }
}
