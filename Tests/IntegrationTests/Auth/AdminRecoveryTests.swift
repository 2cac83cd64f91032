import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

/// An operator cannot lock themselves out for good: the API refuses to take away the last usable
/// admin credential, and `cubicle admin token` on the data directory is the break-glass way back.
@Suite struct AdminRecoveryTests {
    @Test func theLastUsableAdminCredentialCannotBeRevokedLockedOrDemoted() async throws {
        try await ServerHarness.with { server in
            let tokens = try await server.request("GET", "/api/v1/me/tokens").json().array
            let bootstrap = try #require(tokens.first?["id"] as? String)
            let refused = try await server.request("DELETE", "/api/v1/me/tokens/\(bootstrap)")
            #expect(refused.status == 409)
            #expect(try refused.json()["code"] as? String == "conflict")
            #expect((try refused.json()["msg"] as? String)?.contains("cubicle admin token") == true)
            #expect(try await server.request("GET", "/api/v1/me/profile").status == 200, "the refused token still works")

            // A second admin token makes the first one revocable; the second is then the last.
            let second = try await server.request("POST", "/api/v1/me/tokens", body: #"{"name":"spare"}"#).json()
            let spare = try #require(second["token"] as? String)
            let spareID = try #require(second["id"] as? String)
            #expect(try await server.request("DELETE", "/api/v1/me/tokens/\(bootstrap)", token: .some(spare)).status == 204)
            #expect(try await server.request("DELETE", "/api/v1/me/tokens/\(spareID)", token: .some(spare)).status == 409)

            // A narrowed or expired token is no way back in, so it does not count.
            let narrow = try await server.request("POST", "/api/v1/me/tokens", token: .some(spare), body: #"{"name":"ro","scopes":["workspace:read"]}"#)
            #expect(narrow.status == 201)
            #expect(try await server.request("DELETE", "/api/v1/me/tokens/\(spareID)", token: .some(spare)).status == 409)

            // Another admin may lock or demote this one only while they themselves can get in.
            #expect(try await server.request("POST", "/api/v1/users", token: .some(spare), body: #"{"username":"ops","roles":["admin"]}"#).status == 201)
            let opsIssued = try await server.request("POST", "/api/v1/users/ops/tokens", token: .some(spare), body: #"{"name":"ops"}"#).json()
            let ops = try #require(opsIssued["token"] as? String)
            #expect(try await server.request("PATCH", "/api/v1/users/admin/profile", token: .some(ops), body: #"{"roles":["user"]}"#).status == 200)
            let opsTokens = try await server.request("GET", "/api/v1/me/tokens", token: .some(ops)).json().array
            let opsID = try #require(opsTokens.first?["id"] as? String)
            let lastOne = try await server.request("DELETE", "/api/v1/me/tokens/\(opsID)", token: .some(ops))
            #expect(lastOne.status == 409, "ops is now the only admin")
            #expect(try await server.request("POST", "/api/v1/users", token: .some(ops), body: #"{"username":"bob"}"#).status == 201)
            #expect(try await server.request("DELETE", "/api/v1/users/bob", token: .some(ops)).status == 204, "other users stay manageable")
        }
    }

    @Test func adminTokenRestoresAccessAfterTheAdminWasLockedInTheStore() async throws {
        let data = try TemporaryDirectory("cubicle-breakglass")
        defer { data.remove() }
        let serve = try await ServeProcess.start(dataDirectory: data.path, logName: "serve", extraArguments: ["--kubelet", "instant"])
        do {
            let api = serve.url + "/api/v1"
            let old = try await blocking { try data.read("admin-token") }.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await ServerHarness.exchange("GET", api + "/me/profile", bearer: old).status == 200)
            // Locked behind the API's back, as a fuzzer or a mistaken script could leave it.
            let sql = "UPDATE users SET locked = 1 WHERE username = 'admin'"
            let locked = try await ChildProcess.run(
                "/usr/bin/python3", arguments: ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", data.file("cubicle.sqlite"), sql])
            try #require(locked.status == 0, "\(locked.output)")
            #expect(try await ServerHarness.exchange("GET", api + "/me/profile", bearer: old).status == 401)

            let executable = try ServeProcess.executable()
            let recovered = try await blocking { try Program.run(executable, ["admin", "token", "--data-dir", data.path]) }
            try #require(recovered.status == 0, "\(recovered.output) \(recovered.errors)")
            let token = recovered.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("cub_") && !token.contains("\n"), "only the token on stdout: \(recovered.output)")
            #expect(recovered.errors.contains("break-glass"), "it says what it did: \(recovered.errors)")
            #expect(!recovered.errors.contains(token), "the token is not in the log")
            let profile = try await ServerHarness.exchange("GET", api + "/me/profile", bearer: token)
            #expect(profile.status == 200, "the running server accepts the new token at once")
            #expect(try profile.json()["locked"] as? Bool == false)
            #expect(try await blocking { try data.read("admin-token") }.trimmingCharacters(in: .whitespacesAndNewlines) == token)
            let audit = try await blocking { try data.read("audit.log") }
            #expect(audit.contains("\"action\":\"admin-token\"") && audit.contains("\"unlocked\":true"), "\(audit)")
            #expect(!audit.contains(token))
            let mode = try FileManager.default.attributesOfItem(atPath: data.file("audit.log"))[.posixPermissions] as? Int
            #expect(mode == 0o600)
        } catch {
            try? await serve.stop(signal: SIGTERM)
            throw error
        }
        try await serve.stop(signal: SIGTERM)
    }

    @Test func adminTokenRefusesAMissingStoreAndAHeldWriteLock() async throws {
        let executable = try ServeProcess.executable()
        let empty = try TemporaryDirectory("cubicle-breakglass-empty")
        defer { empty.remove() }
        let missing = try await blocking { try Program.run(executable, ["admin", "token", "--data-dir", empty.path]) }
        #expect(missing.status != 0)
        #expect(missing.errors.contains("no store at"), "\(missing.errors)")
        #expect(!FileManager.default.fileExists(atPath: empty.file("cubicle.sqlite")), "it never creates a store")

        // A store whose write lock another process keeps: the command waits the busy timeout, then refuses.
        let data = try TemporaryDirectory("cubicle-breakglass-locked")
        defer { data.remove() }
        let serve = try await ServeProcess.start(dataDirectory: data.path, logName: "serve", extraArguments: ["--kubelet", "instant"])
        try await serve.stop(signal: SIGTERM)
        let holder = try await blocking {
            try Program.launch(
                "/usr/bin/python3",
                ["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(60)", data.file("cubicle.sqlite")],
                stdout: .pipe, stderr: .null)
        }
        defer {
            holder.signal(SIGKILL)
            _ = holder.wait()
        }
        let ready = try await blocking { () -> String in
            var bytes = [UInt8](repeating: 0, count: 16)
            let count = read(holder.stdout ?? -1, &bytes, bytes.count)
            return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
        }
        try #require(ready.hasPrefix("held"))
        let before = try await blocking { try data.read("admin-token") }
        let refused = try await blocking { try Program.run(executable, ["admin", "token", "--data-dir", data.path]) }
        #expect(refused.status != 0)
        #expect(refused.errors.contains("lock") || refused.errors.contains("locked"), "\(refused.errors)")
        #expect(try await blocking { try data.read("admin-token") } == before, "nothing was written")
    }
}
