import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

/// Interactive shells end to end: a real WebSocket client, the server, libssh and the real sshd
/// of a provisioned workspace.
@Suite(.shellWorkspace) struct ShellTests {
    /// The WebSocket handshake headers, for requests that must be refused before the upgrade.
    static let upgrade = [
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "v5.channel.k8s.io",
    ]

    /// The id of the session `client` opened, found by its unique User-Agent.
    static func sessionID(of client: ShellClient, in fixture: ShellWorkspace) async throws -> String {
        var found: String?
        try await eventually("the session of \(client.userAgent) is listed") {
            let sessions = try await fixture.server.request("GET", "/api/v1/me/sessions").json().array
            found = sessions.first { $0["client"] as? String == client.userAgent }?["sessionID"] as? String
            return found != nil
        }
        return try #require(found)
    }

    @Test func terminalEchoesArithmeticAndExitCodeBecomesNonZeroExitCodeStatus() async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path("cols=100&rows=30"))
        shell.type("echo \"T=$TERM\"; echo $((6*7))\n")
        try await shell.waitForOutput("T=xterm-256color\r\n42\r\n")
        shell.type("exit 3\n")
        let ending = try await shell.ending()
        let status = try #require(ending.status, "no status frame; stdout: \(shell.stdout.suffix(300))")
        #expect(status["status"] as? String == "Failure")
        #expect(status["reason"] as? String == "NonZeroExitCode")
        let causes = (status["details"] as? [String: Any])?["causes"] as? [[String: Any]]
        #expect(causes?.first?["reason"] as? String == "ExitCode")
        #expect(causes?.first?["message"] as? String == "3")
        #expect(ending.closeCode == 1000)
    }

    @Test func resizeReachesThePseudoTerminal() async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path())
        shell.resize(cols: 123, rows: 45)
        shell.type("stty size\n")
        try await shell.waitForOutput("45 123\r\n")
        shell.type("exit\n")
        let ending = try await shell.ending()
        #expect(ending.status?["status"] as? String == "Success")
    }

    @Test func commandWithoutTTYKeepsStdoutAndStderrApartAndAcceptsTheTokenAsSubprotocol() async throws {
        let fixture = try ShellWorkspace.get()
        let query = "tty=false&command=sh&command=-c&command=echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%200"
        let shell = ShellClient.connect(
            fixture.server, path: fixture.path(query), protocols: ["v4.channel.k8s.io"], tokenInSubprotocol: true)
        let ending = try await shell.ending()
        #expect(ending.failure == nil, "\(ending.failure ?? "")")
        #expect(shell.stdout == "out\n")
        #expect(shell.stderr == "err\n")
        #expect(ending.status?["status"] as? String == "Success")
    }

    /// Many short commands at once each end with their whole output, their status and a normal
    /// close, however their bytes are split into TCP segments (a short command's output, status
    /// and close frame often share one segment with the `101` answer).
    @Test func shortCommandsAtOnceEachEndWithOutputStatusAndClose() async throws {
        let fixture = try ShellWorkspace.get()
        let endings = try await withThrowingTaskGroup(of: (String, ShellClient.Ending).self) { group in
            var endings: [(String, ShellClient.Ending)] = []
            for index in 0..<96 {
                if index >= 12, let ending = try await group.next() { endings.append(ending) }
                group.addTask {
                    let shell = ShellClient.connect(fixture.server, path: fixture.path("tty=false&command=echo&command=short-\(index)"))
                    let ending = try await shell.ending()
                    return (shell.stdout == "short-\(index)\n" ? "" : "command \(index) printed \(shell.stdout.debugDescription)", ending)
                }
            }
            for try await ending in group { endings.append(ending) }
            return endings
        }
        #expect(endings.count == 96)
        for (problem, ending) in endings {
            #expect(problem.isEmpty, "\(problem)")
            #expect(ending.status?["status"] as? String == "Success" && ending.closeCode == 1000, "\(ending.summary)")
        }
    }

    /// Output read as fast as it comes arrives whole, tail included, before the exit status and
    /// a normal close (a release-build benchmark once lost the last 220 KiB of 256 MiB).
    @Test func bulkOutputArrivesWholeBeforeItsStatus() async throws {
        let fixture = try ShellWorkspace.get()
        let size = 32 << 20
        let shell = ShellClient.connect(
            fixture.server, path: fixture.path("tty=false&command=sh&command=-c&command=yes%20%7C%20head%20-c%20\(size)"))
        let ending = try await shell.ending(within: 120)
        #expect(ending.status?["status"] as? String == "Success", "\(ending.summary)")
        #expect(ending.closeCode == 1000, "\(ending.summary)")
        #expect(shell.stdout.utf8.count == size)
        #expect(shell.stdout.hasSuffix("y\ny\n"))
    }

    /// A client that reads slowly still gets the whole tail, the status and the close frame: the
    /// server must not close the TCP connection while those wait in its socket queue (it did, by
    /// cancelling its read of the socket once the status was queued).
    @Test func slowReaderGetsTheTailTheStatusAndTheClose() async throws {
        let fixture = try ShellWorkspace.get()
        let size = 6 << 20
        let shell = ShellClient.connect(
            fixture.server, path: fixture.path("tty=false&command=sh&command=-c&command=yes%20%7C%20head%20-c%20\(size)"),
            pauseAfterEachFrame: .milliseconds(4))
        let ending = try await shell.ending(within: 120)
        #expect(ending.status?["status"] as? String == "Success", "\(ending.summary)")
        #expect(ending.closeCode == 1000, "\(ending.summary)")
        #expect(shell.stdout.utf8.count == size)
    }

    @Test func stdinEOFFromTheV5CloseChannelEndsTheCommand() async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path("tty=false&command=wc&command=-c"))
        shell.type("12345")
        shell.send([255, 0])
        let ending = try await shell.ending()
        #expect(shell.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        #expect(ending.status?["status"] as? String == "Success")
    }

    @Test func droppedShellKeepsRunningAndReattachReplaysItsOutput() async throws {
        let fixture = try ShellWorkspace.get()
        let first = ShellClient.connect(fixture.server, path: fixture.path())
        first.type("echo \"PID=$$\"\n")
        try await first.waitForOutput("PID=")
        try await eventually("the PID line is complete") { first.stdout.range(of: #"PID=\d+\r\n"#, options: .regularExpression) != nil }
        let line = try #require(first.stdout.range(of: #"PID=\d+"#, options: .regularExpression).map { String(first.stdout[$0]) })
        let id = try await Self.sessionID(of: first, in: fixture)
        await first.drop()

        var second: ShellClient?
        try await eventually("the session can be re-attached") {
            // Without upgrade headers the endpoint runs the same checks and answers 400 when
            // the session could be attached (409 while the dropped client still holds it).
            let probe = try await fixture.server.request("GET", fixture.path("session=\(id)"))
            if probe.status == 409 { return false }
            #expect(probe.status == 400, "\(String(decoding: probe.body, as: UTF8.self))")
            second = ShellClient.connect(fixture.server, path: fixture.path("session=\(id)"))
            return true
        }
        let again = try #require(second)
        try await again.waitForOutput(line)
        let busy = try await fixture.server.request("GET", fixture.path("session=\(id)"))
        #expect(busy.status == 409, "a second client must be refused while one is attached")
        again.type("echo \"again-$$\"\n")
        try await again.waitForOutput("again-\(line.dropFirst(4))\r\n")
        again.type("exit 0\n")
        #expect(try await again.ending().status?["status"] as? String == "Success")
        let gone = try await fixture.server.request("GET", fixture.path("session=\(id)"))
        #expect(gone.status == 404 || gone.status == 410)
    }

    @Test(arguments: [
        ([UInt8(4)] + Array("{\"Width\":\"wide\"}".utf8), UInt16(1007), "resize"),
        ([UInt8(7), 0x41], UInt16(1008), "channel 7"),
        ([UInt8(1), 0x41], UInt16(1008), "channel 1"),
    ])
    func badFramesCloseWithAReason(frame: [UInt8], code: UInt16, reason: String) async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path("tty=false&command=cat"))
        shell.send(frame)
        let ending = try await shell.ending()
        #expect(ending.closeCode == code, "\(ending.closeReason ?? "no reason")")
        #expect(ending.closeReason?.contains(reason) == true, "\(ending.closeReason ?? "no reason")")
    }

    @Test func textFramesCloseAsUnsupportedData() async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path("tty=false&command=cat"))
        shell.sendText("ls\n")
        let ending = try await shell.ending()
        #expect(ending.closeCode == 1003, "\(ending.closeReason ?? "no reason")")
        #expect(ending.closeReason?.contains("binary") == true)
    }

    /// Locking an account ends its open shells at once: the client reads why in the status, the
    /// program is gone and the session is recorded as ended; other users' shells carry on.
    @Test func lockingAnAccountEndsItsOpenShellsAndNoOneElses() async throws {
        let fixture = try ShellWorkspace.get()
        let token = try await fixture.server.makeUser("locked-out", roles: ["admin"])
        let theirs = ShellClient.connect(fixture.server, path: fixture.path(), token: token)
        let mine = ShellClient.connect(fixture.server, path: fixture.path())
        theirs.type("echo up-$((2*3))\n")
        mine.type("echo up-$((3*3))\n")
        try await theirs.waitForOutput("up-6")
        try await mine.waitForOutput("up-9")
        var sessionID: String?
        try await eventually("the locked user's session is listed") {
            let sessions = try await fixture.server.request("GET", "/api/v1/users/locked-out/sessions").json().array
            sessionID = sessions.first { $0["client"] as? String == theirs.userAgent }?["sessionID"] as? String
            return sessionID != nil
        }
        let locked = try await fixture.server.request("PATCH", "/api/v1/users/locked-out/profile", body: #"{"locked":true}"#)
        #expect(locked.status == 200)
        let ending = try await theirs.ending()
        #expect(ending.status?["reason"] as? String == "InternalError", "\(ending.summary)")
        #expect((ending.status?["message"] as? String)?.contains("the account was locked") == true, "\(ending.summary)")
        #expect(ending.closeCode == 1000, "\(ending.summary)")
        try await eventually("the locked user's session is recorded as ended") {
            let sessions = try await fixture.server.request("GET", "/api/v1/users/locked-out/sessions").json().array
            return sessions.contains { $0["sessionID"] as? String == sessionID && $0["endTime"] is String }
        }
        mine.type("echo still-$((4*4))\n")
        try await mine.waitForOutput("still-16")
        mine.type("exit\n")
        #expect(try await mine.ending().status?["status"] as? String == "Success")
    }

    /// Deleting an account ends its open shells too, with the reason in the status.
    @Test func deletingAnAccountEndsItsOpenShells() async throws {
        let fixture = try ShellWorkspace.get()
        let token = try await fixture.server.makeUser("deleted-soon", roles: ["admin"])
        let theirs = ShellClient.connect(fixture.server, path: fixture.path(), token: token)
        theirs.type("echo up-$((5*5))\n")
        try await theirs.waitForOutput("up-25")
        let deleted = try await fixture.server.request("DELETE", "/api/v1/users/deleted-soon")
        #expect(deleted.status == 204)
        let ending = try await theirs.ending()
        #expect((ending.status?["message"] as? String)?.contains("the account was deleted") == true, "\(ending.summary)")
        #expect(ending.closeCode == 1000, "\(ending.summary)")
    }

    @Test func anotherUsersWorkspaceIsNotFoundAndNoUpgradeHappens() async throws {
        let fixture = try ShellWorkspace.get()
        let token = try await fixture.server.makeUser("mallory")
        let reply = try await fixture.server.request("GET", fixture.path(), token: token, headers: Self.upgrade)
        #expect(reply.status == 404)
        #expect(try reply.json()["code"] as? String == "not_found")
        let shell = ShellClient.connect(fixture.server, path: fixture.path(), token: token, tokenInSubprotocol: true)
        let ending = try await shell.ending()
        #expect(ending.failure != nil, "the upgrade must be refused")
        let anonymous = try await fixture.server.request("GET", fixture.path(), token: .some(nil), headers: Self.upgrade)
        #expect(anonymous.status == 401)
    }

    @Test func upgradeAnswerNamesTheSessionAndTheProtocolButNeverTheToken() async throws {
        let fixture = try ShellWorkspace.get()
        let token = fixture.server.adminToken
        let encoded = Data(token.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let arguments = [
            "-s", "-i", "--http1.1", "--max-time", "5", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
            "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "-H", "Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io.\(encoded), v4.channel.k8s.io, v5.channel.k8s.io",
            fixture.server.url + fixture.path("tty=false&command=true"),
        ]
        let answer = try await blocking {
            try Program.run("/usr/bin/curl", arguments).output
        }
        let head = answer.components(separatedBy: "\r\n\r\n").first ?? ""
        #expect(head.hasPrefix("HTTP/1.1 101"), "\(head)")
        let lines = head.lowercased().split(separator: "\r\n")
        #expect(lines.contains("sec-websocket-protocol: v5.channel.k8s.io"))
        #expect(lines.contains { $0.range(of: #"^x-cubicle-session: [0-9a-f-]{36}$"#, options: .regularExpression) != nil })
        #expect(!answer.contains(encoded))
    }

    @Test func stoppedWorkspaceAnswersWorkspaceNotRunning() async throws {
        let fixture = try ShellWorkspace.get()
        let server = fixture.server
        let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev","instance":"stopped"}"#).json()
        let name = try #require(reply["workspace"] as? String)
        _ = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
        let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()
        _ = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 120)
        let refused = try await server.request("GET", "/api/v1/workspaces/\(name)/interactive", headers: Self.upgrade)
        #expect(refused.status == 409)
        #expect(try refused.json()["code"] as? String == "workspace_not_running")
    }

    @Test func sessionsAreRecordedWithByteCountsAndAsciicast() async throws {
        let fixture = try ShellWorkspace.get()
        let shell = ShellClient.connect(fixture.server, path: fixture.path("tty=false&command=echo&command=recorded-line"))
        let ended = try await shell.ending()
        #expect(ended.status?["status"] as? String == "Success", "\(ended.closeReason ?? "") \(ended.failure ?? "")")
        var session: JSONObject?
        try await eventually("the session has ended in the list") {
            let sessions = try await fixture.server.request("GET", "/api/v1/me/sessions?workspace=\(fixture.name)").json().array
            session = sessions.first { $0["client"] as? String == shell.userAgent }
            return session?["endTime"] is String
        }
        let row = try #require(session)
        #expect(row["operations"] as? [String] == ["ex"])
        #expect((row["bytesOut"] as? Int ?? 0) >= "recorded-line\n".utf8.count)
        #expect(row["workspace"] as? String == fixture.name)
        let url = try #require(row["recording"] as? String)
        let cast = try await fixture.server.request("GET", url)
        #expect(cast.status == 200)
        #expect(cast.headers["content-type"] == "application/x-asciicast")
        let lines = String(decoding: cast.body, as: UTF8.self).split(separator: "\n")
        let header = try JSONObject(Data(try #require(lines.first).utf8))
        #expect(header["version"] as? Int == 2)
        #expect(header["width"] as? Int == 80)
        let events = try lines.dropFirst().map { try JSONObject(Data($0.utf8)).value as? [Any] ?? [] }
        #expect(events.allSatisfy { $0.count == 3 && $0[0] is Double || $0[0] is Int })
        #expect(events.contains { $0[1] as? String == "o" && ($0[2] as? String)?.contains("recorded-line") == true })
        let stranger = try await fixture.server.makeUser("eve")
        #expect(try await fixture.server.request("GET", url, token: stranger).status == 404)
    }
}
