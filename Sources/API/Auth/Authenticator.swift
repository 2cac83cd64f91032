import CubicleModel
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Authenticates every non-public route: `Authorization: Bearer <PAT | internal JWT>`,
/// `Authorization: Basic base64(<PAT>:)` (CoCalc clients), or the `cubicle-session` cookie — the
/// latter only with the `X-CSRF-Token` header for state-changing methods. Locked users, revoked or
/// expired credentials answer 401 at once: nothing is cached.
struct Authenticator: RouterMiddleware {
    typealias Context = CubicleRequestContext
    let store: any CubicleStore
    let time: any TimeSource
    let keyring: InternalKeyring
    let settings: AuthSettings

    /// The browser session cookie.
    static let sessionCookie = "cubicle-session"
    /// The cookie holding the CSRF secret for the page's scripts to echo.
    static let csrfCookie = "cubicle-csrf"
    /// The header that must echo the CSRF secret on cookie-authenticated writes.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await authenticate(request)
        return try await next(request, context)
    }

    func authenticate(_ request: Request) async throws -> Caller {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"") }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch parts[0].lowercased() {
            case "bearer": return try await bearer(value)
            case "basic":
                guard value.utf8.count <= 1024, let decoded = Base64URL.decodeStandard(value) else {
                    throw APIError.unauthorized("the Basic credentials are malformed")
                }
                let text = String(decoding: decoded, as: UTF8.self)
                // `token:` (CoCalc) or `user:token`.
                guard let colon = text.firstIndex(of: ":") else { throw APIError.unauthorized("the Basic credentials are malformed") }
                let first = String(text[..<colon]), second = String(text[text.index(after: colon)...])
                return try await personalToken(second.isEmpty ? first : second, expectedUser: second.isEmpty ? nil : first)
            default:
                throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\" or Basic")
            }
        }
        if let cookie = Self.cookie(Self.sessionCookie, in: request) { return try await session(cookie, request: request) }
        throw APIError.unauthorized()
    }

    private func bearer(_ value: String) async throws -> Caller {
        if value.hasPrefix(AccessTokenFormat.prefix) { return try await personalToken(value, expectedUser: nil) }
        if value.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            guard let verified = keyring.verify(value, now: time.now) else {
                throw APIError.unauthorized("the token is invalid or expired")
            }
            return Caller(user: try await liveUser(verified.username), credential: .internalToken, scopes: verified.scopes)
        }
        throw APIError.unauthorized("the token is invalid, revoked or expired")
    }

    private func personalToken(_ presented: String, expectedUser: String?) async throws -> Caller {
        guard presented.utf8.count <= 256, let token = try await store.accessTokens.find(presented: presented),
            expectedUser == nil || expectedUser == token.username
        else { throw APIError.unauthorized("the token is invalid, revoked or expired") }
        let user = try await liveUser(token.username)
        try? await store.accessTokens.touch(id: token.id, at: time.now)
        return Caller(user: user, credential: .token(id: token.id), scopes: token.scopes.isEmpty ? nil : token.scopes)
    }

    private func session(_ cookie: String, request: Request) async throws -> Caller {
        guard let session = try await store.webSessions.find(cookieValue: cookie) else {
            throw APIError.unauthorized("the session has ended; sign in again")
        }
        let user = try await liveUser(session.username)
        if ![.get, .head, .options].contains(request.method) {
            guard let echoed = request.headers[Self.csrfHeader], OIDCClient.constantTimeEqual(echoed, session.csrfSecret) else {
                throw APIError.forbidden("a cookie-authenticated \(request.method.rawValue) needs the X-CSRF-Token header")
            }
        }
        let now = time.now
        try? await store.webSessions.touch(id: session.id, at: now, expiresAt: now.addingTimeInterval(settings.sessionTTL))
        return Caller(user: user, credential: .session(session))
    }

    private func liveUser(_ username: String) async throws -> User {
        let user: User
        do {
            user = try await store.users.get(username)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.unauthorized("the credential's user no longer exists")
        }
        guard !user.locked else { throw APIError.unauthorized("the account is locked") }
        return user
    }

    /// The value of cookie `name`, if the request carries it.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }
}
