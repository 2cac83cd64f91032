import CubicleModel
import Hummingbird
import Store

/// Authenticates `Authorization: Bearer <personal access token>`; everything behind it answers
/// 401 without a live token of an unlocked user.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = CubicleRequestContext
    let store: any CubicleStore
    let time: any TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.unauthorized() }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        let presented = parts[1].trimmingCharacters(in: .whitespaces)
        guard presented.utf8.count <= 256, let token = try await store.accessTokens.find(presented: presented) else {
            throw APIError.unauthorized("the token is invalid, revoked or expired")
        }
        let user: User
        do {
            user = try await store.users.get(token.username)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.unauthorized("the token's user no longer exists")
        }
        guard !user.locked else { throw APIError.unauthorized("the account is locked") }
        try? await store.accessTokens.touch(id: token.id, at: time.now)
        var context = context
        context.caller = Caller(user: user, via: "token:\(token.id)")
        return try await next(request, context)
    }
}
