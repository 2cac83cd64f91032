import App
import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

/// `PATCH /users/:u/profile` and `DELETE /users/:u`: who may change what, locking refusing at
/// once, and deletion taking every credential with it but never orphaning a workspace.
@Suite struct UserAdminTests {
    /// Counts rows of `table` for `username` straight from the SQLite file.
    static func rows(_ server: ServerHarness, _ table: String, of username: String) async throws -> Int {
        let database = server.dataDirectory.path + "/cubicle.sqlite"
        let output = try await blocking { () -> String in
            try Program.run("/usr/bin/sqlite3", [database, "PRAGMA busy_timeout=5000; SELECT count(*) FROM \(table) WHERE username = '\(username)';"]).output
        }
        // The pragma prints its value first; the count is the last line.
        return try #require(output.split(separator: "\n").last.flatMap { Int($0) })
    }

    /// The whole SQLite database as SQL text.
    static func dump(_ server: ServerHarness) async throws -> String {
        let database = server.dataDirectory.path + "/cubicle.sqlite"
        return try await blocking { () -> String in
            try Program.run("/usr/bin/sqlite3", [database, ".dump"]).output
        }
    }

    @Test func aUserMayChangeOnlyFullnameEmailAndShellAndUnknownFieldsAreRefused() async throws {
        try await ServerHarness.with { server in
            let alice = try await server.makeUser("alice")
            let own = try await server.request(
                "PATCH", "/api/v1/users/alice/profile", token: .some(alice),
                body: #"{"fullname":"Alice A.","email":"a@example.com","shell":"/bin/sh"}"#)
            #expect(own.status == 200)
            #expect(try own.json()["fullname"] as? String == "Alice A." && own.json()["shell"] as? String == "/bin/sh")
            for field in [#""sudo":true"#, #""roles":["admin"]"#, #""blueprints":["*"]"#, #""locked":false"#, #""uid":5000"#, #""organization":"x""#] {
                let refused = try await server.request("PATCH", "/api/v1/users/alice/profile", token: .some(alice), body: "{\(field)}")
                #expect(refused.status == 403, "\(field) as self answered \(refused.status)")
            }
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(alice)).json()["sudo"] as? Bool == false)
            let unknown = try await server.request("PATCH", "/api/v1/users/alice/profile", body: #"{"fullname":"x","isAdmin":true}"#)
            #expect(unknown.status == 400)
            #expect(try unknown.json()["code"] as? String == "invalid_request")
            #expect(try await server.request("PATCH", "/api/v1/users/alice/profile", body: #"{"shell":"bash"}"#).status == 400)
            #expect(try await server.request("PATCH", "/api/v1/users/alice/profile", body: #"{"roles":["root"]}"#).status == 400)
            // Another user's profile is invisible to a non-admin.
            _ = try await server.makeUser("bob")
            #expect(try await server.request("PATCH", "/api/v1/users/bob/profile", token: .some(alice), body: #"{"fullname":"x"}"#).status == 404)

            let promoted = try await server.request(
                "PATCH", "/api/v1/users/alice/profile", body: #"{"roles":["admin"],"sudo":true,"uid":4242,"blueprints":["dev"]}"#)
            #expect(promoted.status == 200)
            let profile = try promoted.json()
            #expect(profile["uid"] as? Int == 4242 && profile["sudo"] as? Bool == true && profile["blueprints"] as? [String] == ["dev"])
            // Now an admin herself, alice may not lock herself out.
            #expect(try await server.request("PATCH", "/api/v1/users/alice/profile", token: .some(alice), body: #"{"locked":true}"#).status == 409)
        }
    }

    @Test func lockingAUserRefusesTheirWorkingTokenAtOnceAndUnlockingRestoresIt() async throws {
        try await ServerHarness.with { server in
            let carol = try await server.makeUser("carol")
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(carol)).status == 200)
            let locked = try await server.request("PATCH", "/api/v1/users/carol/profile", body: #"{"locked":true}"#)
            #expect(try locked.status == 200 && locked.json()["locked"] as? Bool == true)
            let refused = try await server.request("GET", "/api/v1/me/profile", token: .some(carol))
            #expect(refused.status == 401)
            #expect(try await server.request("GET", "/api/v1/me/tokens", token: .some(carol)).status == 401)
            #expect(try await server.request("PATCH", "/api/v1/users/carol/profile", body: #"{"locked":false}"#).status == 200)
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(carol)).status == 200)
        }
    }

    @Test func deletingAUserRemovesTheirTokensAndCredentialsButNotWhileTheyHaveWorkspaces() async throws {
        try await ServerHarness.with { server in
            let dave = try await server.makeUser("dave")
            #expect(try await server.request("POST", "/api/v1/users/dave/credentials/git", body: #"{"scope":"*","subject":"dave","secret":"s3cret"}"#).status == 201)
            #expect(try await server.request("DELETE", "/api/v1/users/dave", token: .some(dave)).status == 403)
            let reply = try await server.request("POST", "/api/v1/workspaces", token: .some(dave), body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            _ = try await server.finishedJob(try #require(reply["jobId"] as? String), token: dave)
            let busy = try await server.request("DELETE", "/api/v1/users/dave")
            #expect(busy.status == 409)
            #expect(try busy.json()["code"] as? String == "conflict")
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(dave)).status == 200)

            let removal = try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true", token: .some(dave)).json()
            let removed = try await server.finishedJob(try #require(removal["jobId"] as? String), token: dave)
            #expect(removed["result"] as? String == "succeeded")
            // The cluster watch may report the workspace gone a moment after the job finished.
            try await eventually("dave can be deleted once his workspace is gone", within: 20) {
                try await server.request("DELETE", "/api/v1/users/dave").status == 204
            }
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(dave)).status == 401)
            #expect(try await server.request("GET", "/api/v1/users/dave/profile").status == 404)
            #expect(try await server.request("DELETE", "/api/v1/users/dave").status == 404)
            for table in ["access_tokens", "credentials", "web_sessions"] {
                #expect(try await Self.rows(server, table, of: "dave") == 0, "\(table) still holds dave's rows")
            }
            // Admins cannot delete themselves.
            #expect(try await server.request("DELETE", "/api/v1/users/admin").status == 409)
        }
    }

    /// A restart brings static users in line with the config file, but never undoes a lock an
    /// admin set through the API; a static user cannot be deleted through the API either.
    @Test func anAPILockOfAStaticUserSurvivesARestartAndStaticUsersAreNotDeletable() async throws {
        let file = try ConfigFile.parse("auth:\n  staticUsers:\n    - username: carol\n      fullname: Carol\n")
        var server = try await ServerHarness.start(file: file)
        do {
            #expect(try await server.request("GET", "/api/v1/users/carol/profile").json()["locked"] as? Bool == false)
            let locked = try await server.request("PATCH", "/api/v1/users/carol/profile", body: #"{"locked":true,"fullname":"Changed"}"#)
            #expect(locked.status == 200)
            server = try await server.restarted()
            let carol = try await server.request("GET", "/api/v1/users/carol/profile").json()
            #expect(carol["locked"] as? Bool == true, "the restart unlocked carol")
            #expect(carol["fullname"] as? String == "Carol", "the config file's fields win at start")
            let deleted = try await server.request("DELETE", "/api/v1/users/carol")
            #expect(deleted.status == 409)
            #expect(String(decoding: deleted.body, as: UTF8.self).contains("auth.staticUsers"))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
