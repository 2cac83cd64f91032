import CubicleModel
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `/auth/*`: the providers, the OpenID Connect authorization-code flow (PKCE, `state`, `nonce`),
/// the CLI's token poll and logout. Public: these routes establish identity themselves.
struct AuthRoutes: RouteSet {
    let dependencies: APIDependencies

    /// The endpoints.
    enum Endpoint: CaseIterable { case providers, login, callback, callbackPost, token, logout }

    static let isPublic = true
    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .providers: (.get, "auth/providers")
        case .login: (.get, "auth/login")
        case .callback: (.get, "auth/callback")
        case .callbackPost: (.post, "auth/callback")
        case .token: (.get, "auth/token")
        case .logout: (.post, "auth/logout")
        }
    }

    private var auth: AuthServices { dependencies.auth }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .providers:
            return try JSONBody.response(auth.settings.providers.map {
                ProviderBody(name: $0.name, displayName: $0.displayName, capabilities: ["OnboardUserWebFlow"])
            })
        case .login: return try await login(request)
        case .callback: return try await callback(request, parameters: Self.dictionary(request.query))
        case .callbackPost:
            var parameters = Self.dictionary(request.query)
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            for (key, value) in Self.formFields(String(buffer: body)) { parameters[key] = value }
            return try await callback(request, parameters: parameters)
        case .token: return try await poll(request)
        case .logout: return try await logout(request)
        }
    }

    private func login(_ request: Request) async throws -> Response {
        let query = request.query
        let client = try auth.client(named: query.get("provider"))
        let endpoints = try await client.endpoints()
        let now = dependencies.time.now
        let expiresAt = now.addingTimeInterval(auth.settings.loginTimeout)
        let createPAT = query.get("createPAT") == "true"
        var handoffKey: String?
        if createPAT {
            guard let key = query.get("state"), key.utf8.count >= 16, key.utf8.count <= 512 else {
                throw APIError.invalid("createPAT=true needs a random state of at least 16 characters")
            }
            try await dependencies.store.loginStates.beginHandoff(key: key, expiresAt: expiresAt)
            handoffKey = key
        }
        let state = Base64URL.random(), nonce = Base64URL.random()
        let pkce = OIDCLogin.pkce()
        try await dependencies.store.loginStates.create(
            LoginState(
                state: state, nonce: nonce, codeVerifier: pkce.verifier, provider: client.settings.name,
                redirect: OIDCLogin.safeRedirect(query.get("redirect")), createPAT: createPAT, handoffKey: handoffKey,
                createdAt: now, expiresAt: expiresAt))
        let location = OIDCLogin.authorizationURL(
            endpoint: endpoints.authorization, provider: client.settings, redirectURI: callbackURL(request), state: state,
            nonce: nonce, challenge: pkce.challenge)
        return Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }

    private func callback(_ request: Request, parameters: [String: String]) async throws -> Response {
        if let error = parameters["error"] {
            throw APIError.forbidden("the identity provider refused the login: \(error.prefix(100))")
        }
        guard let code = parameters["code"], let stateValue = parameters["state"], code.utf8.count <= 4096 else {
            throw APIError.invalid("the callback needs code and state")
        }
        let state: LoginState
        do {
            state = try await dependencies.store.loginStates.take(state: stateValue)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.forbidden("this login is unknown, used or expired; start again")
        }
        let client = try auth.client(named: state.provider)
        let idToken = try await client.exchange(code: code, verifier: state.codeVerifier, redirectURI: callbackURL(request))
        let claims = try await client.verifyIDToken(idToken, nonce: state.nonce, now: dependencies.time.now)
        let user = try await OIDCLogin.user(
            for: claims, provider: client.settings, staticUsernames: auth.settings.staticUsernames, store: dependencies.store)
        if state.createPAT, let key = state.handoffKey {
            let issued = try await dependencies.store.accessTokens.create(
                NewAccessToken(username: user.username, name: "cli login \(RFC3339.string(from: dependencies.time.now))"))
            try await dependencies.store.loginStates.completeHandoff(key: key, username: user.username, token: issued.plaintext)
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            let page = "<!doctype html><title>Cubicle</title><p>Signed in as \(user.username). You can close this window and return to the terminal.</p>"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let issued = try await dependencies.store.webSessions.create(
            username: user.username, provider: state.provider, expiresAt: dependencies.time.now.addingTimeInterval(auth.settings.sessionTTL))
        var headers: HTTPFields = [.location: state.redirect, .cacheControl: "no-store"]
        let secure = isSecure(request) ? "; Secure" : ""
        let maxAge = Int(auth.settings.sessionTTL)
        headers.append(HTTPField(name: .setCookie, value: "\(Authenticator.sessionCookie)=\(issued.cookieValue); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure)"))
        headers.append(HTTPField(name: .setCookie, value: "\(Authenticator.csrfCookie)=\(issued.session.csrfSecret); Path=/; Max-Age=\(maxAge); SameSite=Lax\(secure)"))
        return Response(status: .found, headers: headers)
    }

    private func poll(_ request: Request) async throws -> Response {
        guard let key = request.query.get("state") else { throw APIError.invalid("state is required") }
        let status: HandoffStatus
        do {
            status = try await dependencies.store.loginStates.pollHandoff(key: key)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("no login is waiting under this state")
        }
        switch status {
        case .pending: return try JSONBody.response(["status": "pending"], status: .accepted)
        case .ready(let username, let token): return try JSONBody.response(["username": username, "token": token])
        }
    }

    private func logout(_ request: Request) async throws -> Response {
        if let cookie = Authenticator.cookie(Authenticator.sessionCookie, in: request),
            let session = try await dependencies.store.webSessions.find(cookieValue: cookie)
        {
            guard let echoed = request.headers[Authenticator.csrfHeader], OIDCClient.constantTimeEqual(echoed, session.csrfSecret) else {
                throw APIError.forbidden("logout with a session cookie needs the X-CSRF-Token header")
            }
            try await dependencies.store.webSessions.delete(id: session.id)
        }
        var headers = HTTPFields()
        let secure = isSecure(request) ? "; Secure" : ""
        headers.append(HTTPField(name: .setCookie, value: "\(Authenticator.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax\(secure)"))
        headers.append(HTTPField(name: .setCookie, value: "\(Authenticator.csrfCookie)=; Path=/; Max-Age=0; SameSite=Lax\(secure)"))
        return Response(status: .noContent, headers: headers)
    }

    /// The base URL the browser sees: the configured public URL, else the Host header.
    private func baseURL(_ request: Request) -> String {
        if let configured = auth.settings.publicURL { return configured.hasSuffix("/") ? String(configured.dropLast()) : configured }
        let host = request.head.authority ?? "localhost"
        return "\(isSecure(request) ? "https" : "http")://\(host)"
    }

    private func callbackURL(_ request: Request) -> String { baseURL(request) + "/\(APIRouter.root)/auth/callback" }

    private func isSecure(_ request: Request) -> Bool {
        if let configured = auth.settings.publicURL { return configured.hasPrefix("https://") }
        return request.head.scheme == "https"
    }

    /// Query parameters as a dictionary (the first value of a repeated name wins).
    static func dictionary(_ parameters: some Sequence<(key: Substring, value: Substring)>) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in parameters where result[String(key)] == nil { result[String(key)] = String(value) }
        return result
    }

    /// Parses `application/x-www-form-urlencoded`.
    static func formFields(_ text: String) -> [(String, String)] {
        FormEncoding.pairs(text[...]).map { (String($0.key), String($0.value)) }
    }
}

/// One entry of `GET /auth/providers`.
struct ProviderBody: Encodable {
    var name: String
    var displayName: String
    var capabilities: [String]
}
