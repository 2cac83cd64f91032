import CubicleModel
import Crypto
import Foundation

/// Service account tokens (JWT, ES256) signed with a key kept in the data dir: issued by the
/// TokenRequest API, and verified by signature, issuer, audience and expiry on every request.
final class ServiceAccountTokens: Sendable {
    /// The issuer and default audience, as in a real cluster.
    static let issuer = "https://kubernetes.default.svc.cluster.local"

    /// The claims of a verified token.
    struct Claims: Sendable, Equatable {
        let namespace: String
        let serviceAccount: String
        let serviceAccountUID: String
        let audiences: [String]
        let expires: Date
    }

    /// The raw signing key (the Crypto key type is not `Sendable`; it is rebuilt per use).
    private let keyBytes: [UInt8]
    private let keyID: String

    init(key: P256.Signing.PrivateKey) {
        keyBytes = Array(key.rawRepresentation)
        keyID = Self.base64URL(Array(SHA256.hash(data: key.publicKey.derRepresentation)))
    }

    private var key: P256.Signing.PrivateKey? { try? P256.Signing.PrivateKey(rawRepresentation: keyBytes) }

    /// Loads `directory/sa.key`, creating it on first use. Blocking file I/O.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func loadOrCreate(directory: String) throws(LocalClusterError) -> ServiceAccountTokens {
        let path = directory + "/sa.key"
        if let bytes = try AtomicFile.read(path) {
            do {
                return ServiceAccountTokens(key: try P256.Signing.PrivateKey(pemRepresentation: String(decoding: bytes, as: UTF8.self)))
            } catch {
                throw .setup("the service account key \(path) is damaged", underlying: error)
            }
        }
        let key = P256.Signing.PrivateKey()
        try AtomicFile.write(Array(key.pemRepresentation.utf8), to: path)
        return ServiceAccountTokens(key: key)
    }

    /// A signed token for service account `name` (uid `uid`) in `namespace`.
    func issue(namespace: String, name: String, uid: String, audiences: [String], issuedAt: Date, expires: Date) -> String {
        let header: JSONValue = ["alg": "ES256", "kid": .string(keyID), "typ": "JWT"]
        let claims: JSONValue = [
            "iss": .string(Self.issuer), "sub": .string("system:serviceaccount:\(namespace):\(name)"),
            "aud": .array(audiences.map(JSONValue.string)), "iat": .int(Int64(issuedAt.timeIntervalSince1970)),
            "nbf": .int(Int64(issuedAt.timeIntervalSince1970)), "exp": .int(Int64(expires.timeIntervalSince1970)),
            "jti": .string(UUID().uuidString.lowercased()),
            "kubernetes.io": [
                "namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)],
            ],
        ]
        let signingInput = Self.base64URL(header.serialized()) + "." + Self.base64URL(claims.serialized())
        guard let signature = try? key?.signature(for: Data(signingInput.utf8)) else { return signingInput + "." }
        return signingInput + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    /// The claims of `token` when it is ours, unexpired at `now` and meant for the API server.
    func verify(_ token: String, now: Date) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.decodeBase64URL(parts[0]),
            let claimBytes = Self.decodeBase64URL(parts[1]), let signatureBytes = Self.decodeBase64URL(parts[2]),
            let header = try? JSONValue.parse(headerBytes), header["alg"]?.stringValue == "ES256",
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
            let publicKey = key?.publicKey,
            publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)),
            let claims = try? JSONValue.parse(claimBytes), claims["iss"]?.stringValue == Self.issuer,
            let expires = claims["exp"]?.intValue, Double(expires) > now.timeIntervalSince1970,
            let namespace = claims[path: ["kubernetes.io", "namespace"]]?.stringValue,
            let name = claims[path: ["kubernetes.io", "serviceaccount", "name"]]?.stringValue
        else { return nil }
        if let notBefore = claims["nbf"]?.intValue, Double(notBefore) > now.timeIntervalSince1970 + 60 { return nil }
        let audiences = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? claims["aud"]?.stringValue.map { [$0] } ?? []
        guard audiences.contains(Self.issuer) else { return nil }
        return Claims(
            namespace: namespace, serviceAccount: name,
            serviceAccountUID: claims[path: ["kubernetes.io", "serviceaccount", "uid"]]?.stringValue ?? "",
            audiences: audiences, expires: Date(timeIntervalSince1970: Double(expires))
        )
    }

    static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
