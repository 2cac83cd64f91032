import CubicleModel
import Foundation

/// Decides who a request is: the verified client certificate first, then a bearer token (a
/// configured static token or a live service account token). Without either, plain-HTTP
/// clusters treat the caller as anonymous and TLS clusters refuse with 401.
struct Authenticator: Sendable {
    let staticTokens: [String: UserInfo]
    let tokens: ServiceAccountTokens
    let registry: Registry
    let allowAnonymous: Bool

    /// The user of `request`, or 401.
    func authenticate(_ request: HTTPRequest) throws(LocalClusterError) -> UserInfo {
        if let user = request.certificateUser { return user }
        guard let authorization = request.header("authorization") else {
            if allowAnonymous { return .anonymous }
            throw .unauthorized
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .unauthorized }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        if let user = staticTokens[token] { return user }
        guard let claims = tokens.verify(token, now: registry.time.now) else { throw .unauthorized }
        // The token is only good while its service account exists (as the same object).
        guard let account = try? registry.get(
            ResourceCatalog.serviceAccounts, namespace: claims.namespace, name: claims.serviceAccount
        ), claims.serviceAccountUID.isEmpty || account.uid == claims.serviceAccountUID
        else { throw .unauthorized }
        return UserInfo(
            name: "system:serviceaccount:\(claims.namespace):\(claims.serviceAccount)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(claims.namespace)", "system:authenticated"]
        )
    }
}
