import API
import App
import Crypto
import CubicleModel
import CubicleTestSupport
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Every route of `APIRouter.routes` × every kind of caller → the answer it must get. The rows come
/// from the route table, so a new route is checked without anyone remembering to add it.
@Suite struct AuthorizationMatrixTests {
    /// Routes that answer without credentials; a new public route must be added here on purpose.
    static let publicRoutes: Set<String> = [
        "GET /api/v1/healthcheck", "GET /api/v1/auth/providers", "GET /api/v1/auth/login", "GET /api/v1/auth/callback",
        "POST /api/v1/auth/callback", "GET /api/v1/auth/token", "POST /api/v1/auth/logout",
        "POST /api/v1/internal/users/:username/token",
    ]
    /// Routes only admins may use (an owner gets 403).
    static let adminOnly: Set<String> = [
        "GET /api/v1/users", "POST /api/v1/users", "POST /api/v1/users/:u/credentials/:name", "DELETE /api/v1/users/:u",
        "GET /metrics",
    ]
    /// Routes whose success destroys the owner; the admin column aims them at a throwaway user.
    static let destroysOwner: Set<String> = ["DELETE /api/v1/users/:u"]

    /// `route`'s path with parameters filled for `owner`'s things.
    static func path(_ route: APIRoute, owner: String) -> String {
        route.fullPath.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            switch segment {
            case ":u", ":username": owner
            case ":name": "\(owner)-0000000"
            case let other where other.hasPrefix(":"): "nonexistent"
            default: String(segment)
            }
        }.joined(separator: "/")
    }

    static func send(_ server: ServerHarness, _ route: APIRoute, owner: String, headers: [String: String]) async throws -> Int {
        var request = URLRequest(url: URL(string: server.url + path(route, owner: owner))!)
        request.httpMethod = route.method.rawValue
        if route.method != .get, route.method != .head {
            request.httpBody = Data("{}".utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await ManualHTTP.send(request).status
    }

    /// An EdDSA JWT for `subject` signed with the server's own key, expiring at `exp`.
    static func internalJWT(_ server: ServerHarness, subject: String, exp: Date) async throws -> String {
        let directory = server.dataDirectory.path + "/jwt-keys"
        let (kid, raw) = try await blocking { () -> (String, Data) in
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".key") })
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return (String(name.dropLast(4)), try #require(Data(base64Encoded: text)))
        }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = b64(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"\#(kid)"}"#.utf8))
        let now = Int(Date().timeIntervalSince1970)
        let claims = b64(Data(#"{"iss":"cubicle","aud":"cubicle","sub":"\#(subject)","iat":\#(now - 3600),"exp":\#(Int(exp.timeIntervalSince1970)),"scope":"user:read"}"#.utf8))
        let signature = try key.signature(for: Data("\(header).\(claims)".utf8))
        return "\(header).\(claims).\(b64(signature))"
    }

    @Test func everyRouteAnswersEveryKindOfCallerAsThePolicySays() async throws {
        try await OIDCLoginTests.withLogin { server, _ in
            let alice = try await server.makeUser("alice")
            let bob = try await server.makeUser("bob")
            let carol = try await server.makeUser("carol")
            let revokedReply = try await server.request("POST", "/api/v1/users/alice/tokens", body: #"{"name":"soon revoked"}"#).json()
            let revoked = try #require(revokedReply["token"] as? String)
            let revokedID = try #require(revokedReply["id"] as? String)
            #expect(try await server.request("DELETE", "/api/v1/users/alice/tokens/\(revokedID)").status == 204)
            let narrowed = try #require(
                try await server.request("POST", "/api/v1/users/alice/tokens", token: .some(alice), body: #"{"name":"ro","scopes":["files:read"]}"#)
                    .json()["token"] as? String)
            // A narrowed token cannot mint a broader one.
            #expect(try await server.request("POST", "/api/v1/me/tokens", token: .some(narrowed), body: #"{"name":"wide"}"#).status == 403)
            let database = server.dataDirectory.path + "/cubicle.sqlite"
            try await blocking {
                let update = try Program.run("/usr/bin/sqlite3", [database, "PRAGMA busy_timeout=5000; UPDATE users SET locked = 1 WHERE username = 'carol';"])
                guard update.succeeded else { throw TestFailure("sqlite3 failed: \(update.errors)") }
            }
            let expiredJWT = try await Self.internalJWT(server, subject: "alice", exp: Date().addingTimeInterval(-120))
            let liveJWT = try await Self.internalJWT(server, subject: "alice", exp: Date().addingTimeInterval(600))
            let forged = String(liveJWT.dropLast(4)) + "AAAA"
            // A browser session of an OIDC user, for the cookie-without-CSRF column.
            let landed = try await ManualHTTP.get(try await OIDCLoginTests.authorize(server, as: "dora-sub"))
            let session = try #require(landed.cookies["cubicle-session"])

            let refusedEverywhere: [(String, [String: String])] = [
                ("no credentials", [:]), ("garbage token", ["Authorization": "Bearer cub_garbage"]),
                ("revoked PAT", ["Authorization": "Bearer \(revoked)"]), ("expired JWT", ["Authorization": "Bearer \(expiredJWT)"]),
                ("forged JWT", ["Authorization": "Bearer \(forged)"]), ("locked user's PAT", ["Authorization": "Bearer \(carol)"]),
                ("workspace token", ["Authorization": "Bearer cws_" + String(repeating: "A", count: 43)]),
                ("unknown session cookie", ["Cookie": "cubicle-session=" + String(repeating: "A", count: 43)]),
            ]
            let routes = APIRouter.routes
            #expect(Set(routes.filter(\.isPublic).map(\.description)) == Self.publicRoutes)
            var checked = 0
            for route in routes where !route.isPublic {
                let name = route.description
                for (caller, headers) in refusedEverywhere {
                    let status = try await Self.send(server, route, owner: "alice", headers: headers)
                    #expect(status == 401, "\(name) as \(caller) answered \(status)")
                }
                let isRead = route.method == .get || route.method == .head
                let cookie = try await Self.send(server, route, owner: "dora", headers: ["Cookie": "cubicle-session=\(session)"])
                if isRead, Self.adminOnly.contains(name) { #expect(cookie == 403, "\(name) with a non-admin session answered \(cookie)") }
                else if isRead { #expect(cookie != 401 && cookie != 403, "\(name) with a session cookie answered \(cookie)") }
                else { #expect(cookie == 403, "\(name) with a session cookie and no CSRF header answered \(cookie)") }

                let owner = try await Self.send(server, route, owner: "alice", headers: ["Authorization": "Bearer \(alice)"])
                if Self.adminOnly.contains(name) { #expect(owner == 403, "\(name) as a non-admin answered \(owner)") }
                else { #expect(owner != 401 && owner != 403, "\(name) as the owner answered \(owner)") }

                var adminTarget = "alice"
                if Self.destroysOwner.contains(name) {
                    adminTarget = "doomed\(checked)"
                    _ = try await server.makeUser(adminTarget)
                }
                let admin = try await Self.send(server, route, owner: adminTarget, headers: ["Authorization": "Bearer \(server.adminToken)"])
                #expect(admin != 401 && admin != 403, "\(name) as admin answered \(admin)")

                let narrow = try await Self.send(server, route, owner: "alice", headers: ["Authorization": "Bearer \(narrowed)"])
                if AccessPolicy.requiredScope(for: route) == "files:read" { #expect(narrow != 401 && narrow != 403, "\(name) narrowed: \(narrow)") }
                else { #expect(narrow == 403, "\(name) with a files:read token answered \(narrow)") }

                if route.path.contains(":u") || route.path.contains(":name") || Self.adminOnly.contains(name) {
                    let other = try await Self.send(server, route, owner: "alice", headers: ["Authorization": "Bearer \(bob)"])
                    #expect(other == 404 || other == 403, "\(name) of alice as bob answered \(other)")
                }
                checked += 1
            }
            #expect(checked >= 15)

            // The live internal JWT works, but only within its scopes.
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(liveJWT)).status == 200)
            #expect(try await server.request("POST", "/api/v1/me/tokens", token: .some(liveJWT), body: #"{"name":"x"}"#).status == 403)
            // The internal route takes nothing but a workspace's own token for its owner.
            for headers in [[:], ["Authorization": "Bearer \(alice)"], ["Authorization": "Bearer \(server.adminToken)"],
                            ["Authorization": "Bearer cws_" + String(repeating: "B", count: 43)]] {
                let status = try await ManualHTTP.post("\(server.url)/api/v1/internal/users/alice/token", headers: headers).status
                #expect(status == 403, "internal token with \(headers.keys) answered \(status)")
            }
        }
    }
}
