import _CryptoExtras
import Crypto
import CubicleModel
import Foundation

/// A compact JWS (a JWT) split into its parts; nothing in it is trusted until `verify` says so.
struct JWS: Sendable {
    /// The decoded header.
    let header: JSONValue
    /// The decoded claims.
    let claims: JSONValue
    /// `header.payload`, the bytes the signature covers.
    let signingInput: [UInt8]
    /// The signature bytes.
    let signature: [UInt8]

    /// The largest token accepted, so a hostile token cannot make us parse megabytes.
    static let maximumLength = 16 * 1024

    /// Splits and decodes `text`; nil when it is not a well-formed compact JWS.
    init?(_ text: some StringProtocol) {
        guard text.utf8.count <= Self.maximumLength else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let head = Base64URL.decode(parts[0]), let body = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONValue.parse(head), header.objectValue != nil,
            let claims = try? JSONValue.parse(body), claims.objectValue != nil
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }

    /// The `alg` header.
    var algorithm: String? { header["alg"]?.stringValue }
    /// The `kid` header.
    var keyID: String? { header["kid"]?.stringValue }

    /// Whether the signature verifies under `key` with the token's own `alg`, which must match the
    /// key's type (so an RSA key cannot be abused as an HMAC secret, and `none` never verifies).
    func verify(with key: JWK) -> Bool {
        switch (algorithm, key) {
        case ("RS256", .rsa(let publicKey)):
            let signature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            return publicKey.isValidSignature(signature, for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5)
        case ("ES256", .p256(let raw)):
            guard let publicKey = try? P256.Signing.PublicKey(x963Representation: raw),
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(signature, for: SHA256.hash(data: signingInput))
        case ("EdDSA", .ed25519(let raw)):
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return publicKey.isValidSignature(signature, for: signingInput)
        default:
            return false
        }
    }

    /// Signs `claims` with an Ed25519 key as `EdDSA` under `kid`.
    static func signEdDSA(claims: JSONValue, keyID: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        let header: JSONValue = ["alg": "EdDSA", "typ": "JWT", "kid": .string(keyID)]
        let input = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        let signature = try key.signature(for: Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }
}

/// A public key from a JWKS (RSA, P-256 or Ed25519).
enum JWK: Sendable {
    /// An RSA key (`kty: RSA`).
    case rsa(_RSA.Signing.PublicKey)
    /// A P-256 key (`kty: EC, crv: P-256`), as its X9.63 bytes (checked on parsing).
    case p256([UInt8])
    /// An Ed25519 key (`kty: OKP, crv: Ed25519`), as its raw bytes (checked on parsing).
    case ed25519([UInt8])

    /// The keys of a JWKS document by `kid` (keys without one are filed under ""); keys of other
    /// types, or meant for encryption, are skipped.
    static func keySet(_ document: JSONValue) -> [(kid: String, key: JWK)] {
        (document["keys"]?.arrayValue ?? []).compactMap { entry in
            if let use = entry["use"]?.stringValue, use != "sig" { return nil }
            guard let key = JWK(entry) else { return nil }
            return (entry["kid"]?.stringValue ?? "", key)
        }
    }

    /// Parses one JWK; nil for unsupported or malformed keys.
    init?(_ entry: JSONValue) {
        func bytes(_ name: String) -> [UInt8]? { entry[name]?.stringValue.flatMap(Base64URL.decode) }
        switch (entry["kty"]?.stringValue, entry["crv"]?.stringValue) {
        case ("RSA", _):
            guard let n = bytes("n"), let e = bytes("e"), let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return nil }
            self = .rsa(key)
        case ("EC", "P-256"):
            guard let x = bytes("x"), let y = bytes("y"), x.count == 32, y.count == 32,
                (try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)) != nil
            else { return nil }
            self = .p256([0x04] + x + y)
        case ("OKP", "Ed25519"):
            guard let x = bytes("x"), (try? Curve25519.Signing.PublicKey(rawRepresentation: x)) != nil else { return nil }
            self = .ed25519(x)
        default:
            return nil
        }
    }
}
