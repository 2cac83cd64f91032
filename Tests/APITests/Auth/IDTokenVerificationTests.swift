import _CryptoExtras
import Crypto
import CubicleModel
import Foundation
import Testing

@testable import API

/// ID-token checks with real RS256 and ES256 signatures from keys made here, served as a JWKS
/// through the injected fetcher: only a token with the right key, issuer, audience, expiry and
/// nonce passes.
@Suite struct IDTokenVerificationTests {
    static let issuer = "https://idp.test"
    let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let ec = P256.Signing.PrivateKey()

    func client(jwksRSA: _RSA.Signing.PublicKey? = nil) -> OIDCClient {
        let rsaPublic = jwksRSA ?? rsa.publicKey
        let primitives = try! rsaPublic.getKeyPrimitives()
        let ecRaw = Array(ec.publicKey.x963Representation)
        let jwks: JSONValue = ["keys": [
            ["kty": "RSA", "kid": "r1", "n": .string(Base64URL.encode(primitives.modulus)), "e": .string(Base64URL.encode(primitives.publicExponent))],
            ["kty": "EC", "crv": "P-256", "kid": "e1", "x": .string(Base64URL.encode(ecRaw[1..<33])), "y": .string(Base64URL.encode(ecRaw[33...]))],
        ]]
        let discovery: JSONValue = [
            "issuer": .string(Self.issuer), "authorization_endpoint": "https://idp.test/auth", "token_endpoint": "https://idp.test/token",
            "jwks_uri": "https://idp.test/jwks",
        ]
        let fetcher = HTTPFetcher { _, url, _, _ in
            HTTPFetcher.Reply(status: 200, body: url.hasSuffix("/jwks") ? jwks.serialized() : discovery.serialized())
        }
        return OIDCClient(settings: OIDCProviderSettings(id: "t", issuer: Self.issuer, clientID: "cubicle", clientSecret: "x"), fetcher: fetcher)
    }

    func token(alg: String = "RS256", claims overrides: [String: JSONValue] = [:], signWith other: _RSA.Signing.PrivateKey? = nil) throws -> String {
        var claims: [String: JSONValue] = [
            "iss": .string(Self.issuer), "aud": "cubicle", "sub": "s1", "nonce": "n-123",
            "iat": .int(Int64(Date().timeIntervalSince1970)), "exp": .int(Int64(Date().timeIntervalSince1970) + 300),
        ]
        for (key, value) in overrides { claims[key] = value }
        let header: JSONValue = ["alg": .string(alg), "kid": .string(alg == "ES256" ? "e1" : "r1")]
        let input = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(JSONValue.object(claims).serialized())
        let signature: [UInt8]
        if alg == "ES256" {
            signature = Array(try ec.signature(for: Array(input.utf8)).rawRepresentation)
        } else {
            signature = Array(try (other ?? rsa).signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation)
        }
        return input + "." + Base64URL.encode(signature)
    }

    @Test func validRS256AndES256TokensPass() async throws {
        let client = client()
        let claims = try await client.verifyIDToken(try token(), nonce: "n-123", now: Date())
        #expect(claims["sub"]?.stringValue == "s1")
        _ = try await client.verifyIDToken(try token(alg: "ES256"), nonce: "n-123", now: Date())
    }

    @Test(arguments: ["wrong nonce", "expired", "wrong key", "wrong issuer", "wrong audience", "alg none", "alg HS256"])
    func badTokensAreRefused(_ flaw: String) async throws {
        let client = client()
        let now = Int64(Date().timeIntervalSince1970)
        let text: String
        switch flaw {
        case "wrong nonce": text = try token(claims: ["nonce": "other"])
        case "expired": text = try token(claims: ["exp": .int(now - 3600)])
        case "wrong key": text = try token(signWith: try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case "wrong issuer": text = try token(claims: ["iss": "https://evil.test"])
        case "wrong audience": text = try token(claims: ["aud": "someone-else"])
        case "alg none": text = try token(alg: "none")
        default: text = try token(alg: "HS256")
        }
        await #expect(throws: APIError.self) { _ = try await client.verifyIDToken(text, nonce: "n-123", now: Date()) }
    }
}
