import CubicleTestSupport
import Foundation
import Testing

/// `POST /workspaces/:name/exec` against a real workspace: output and exit codes exactly, bounds
/// that truncate and say so, timeouts that end the whole process group, and bad input refused.
extension ShellTests {
    private static func exec(_ fixture: ShellWorkspace, _ json: String, token: String?? = .none) async throws -> ServerHarness.Reply {
        try await fixture.server.request("POST", "/api/v1/workspaces/\(fixture.name)/exec", token: token, body: json)
    }

    @Test func execAnswersStdoutStderrAndTheExitCodeExactly() async throws {
        let fixture = try ShellWorkspace.get()
        let mixed = try await Self.exec(fixture, #"{"command":"echo out; echo err >&2; exit 3","bash":true}"#)
        #expect(mixed.status == 200, "\(String(decoding: mixed.body, as: UTF8.self))")
        let answer = try mixed.json()
        #expect(answer["stdout"] as? String == "out\n")
        #expect(answer["stderr"] as? String == "err\n")
        #expect(answer["exitCode"] as? Int == 3)
        #expect(answer["timedOut"] as? Bool == false)
        #expect((answer["durationMs"] as? Int ?? -1) >= 0)

        // argv mode: every argument arrives as it was sent, quotes and spaces included.
        let argv = try await Self.exec(fixture, #"{"command":"printf","args":["%s|","a b","it's","$HOME"]}"#).json()
        #expect(argv["stdout"] as? String == "a b|it's|$HOME|")

        let environment = try await Self.exec(fixture, #"{"command":"pwd; printf '%s' \"$FOO\"","bash":true,"cwd":"/tmp","env":{"FOO":"bar baz"}}"#).json()
        #expect(environment["stdout"] as? String == "/tmp\nbar baz")
        let stdin = try await Self.exec(fixture, #"{"command":"cat","stdin":"hello\nworld"}"#).json()
        #expect(stdin["stdout"] as? String == "hello\nworld")

        let bytes = (0..<4096).map { UInt8($0 % 256) }
        let binary = try await Self.exec(fixture, #"{"command":"cat","encoding":"base64","stdin":"\#(Data(bytes).base64EncodedString())"}"#).json()
        #expect(binary["encoding"] as? String == "base64")
        #expect(Data(base64Encoded: binary["stdout"] as? String ?? "") == Data(bytes))
        let invalid = try await Self.exec(fixture, #"{"command":"printf '\\377'","bash":true}"#).json()
        #expect(invalid["stdout"] as? String == "\u{FFFD}", "invalid UTF-8 becomes U+FFFD in text mode")
    }

    @Test func execKeepsTwoMiBAndTruncatesPastMaxOutputSayingSo() async throws {
        let fixture = try ShellWorkspace.get()
        let whole = try await Self.exec(fixture, #"{"command":"head -c 2097152 /dev/zero | tr '\\0' x","bash":true,"maxOutput":4194304}"#).json()
        #expect((whole["stdout"] as? String)?.utf8.count == 2 << 20)
        #expect((whole["truncated"] as? [String: Bool]) == ["stdout": false, "stderr": false])
        let cut = try await Self.exec(fixture, #"{"command":"head -c 50000 /dev/zero | tr '\\0' y; echo done >&2","bash":true,"maxOutput":1000}"#).json()
        #expect((cut["stdout"] as? String)?.utf8.count == 1000)
        #expect((cut["truncated"] as? [String: Bool])?["stdout"] == true)
        #expect(cut["stderr"] as? String == "done\n")
        #expect(cut["exitCode"] as? Int == 0, "the rest was read and dropped: the command was not stopped")
    }

    @Test func aTimeoutEndsTheWholeProcessGroup() async throws {
        let fixture = try ShellWorkspace.get()
        let marker = "bg-\(UUID().uuidString.prefix(8).lowercased())"
        let script = "sh -c 'while :; do sleep 1; done' & echo $! > ~/\(marker); echo started; sleep 300"
        let reply = try await Self.exec(fixture, #"{"command":"\#(script)","bash":true,"timeout":1}"#)
        #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        let answer = try reply.json()
        #expect(answer["timedOut"] as? Bool == true)
        #expect(answer["stdout"] as? String == "started\n")
        #expect(["TERM", "KILL"].contains(answer["signal"] as? String ?? ""), "\(answer.value)")
        try await eventually("the background loop of the timed-out command is gone too", within: 30) {
            let check = try await Self.exec(fixture, #"{"command":"kill -0 \"$(cat ~/\#(marker))\" 2>/dev/null && echo alive || echo gone","bash":true}"#).json()
            return check["stdout"] as? String == "gone\n"
        }
    }

    @Test func badExecRequestsAreRefusedWithTheirCodes() async throws {
        let fixture = try ShellWorkspace.get()
        for body in [
            #"{"command":""}"#, #"{"command":"true","timeout":0}"#, #"{"command":"true","timeout":-5}"#,
            #"{"command":"true","timeout":1e9}"#, #"{"command":"true","env":{"1X":"y"}}"#, #"{"command":"true","env":{"A=B":"y"}}"#,
            #"{"command":"true","maxOutput":-1}"#, #"{"command":"true","encoding":"rot13"}"#, #"{"command":"a\u0000b"}"#,
            #"{"command":"true","bash":true,"args":["x"]}"#, #"{"command":"cat","encoding":"base64","stdin":"***"}"#, "not json",
        ] {
            let reply = try await Self.exec(fixture, body)
            #expect(reply.status == 400, "\(body): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
            #expect(try reply.json()["code"] as? String == "invalid_request")
        }
        // Within every field's limit, but too long once quoted for one argument of the login shell.
        let quotes = String(repeating: "'", count: 40_000)
        let long = try await Self.exec(fixture, #"{"command":"printf","args":["%s","\#(quotes)"]}"#)
        #expect(long.status == 400 && (try? long.json()["code"] as? String) == "invalid_request", "\(long.status)")
        let async = try await Self.exec(fixture, #"{"command":"true","async":true}"#)
        #expect(try async.status == 501 && async.json()["code"] as? String == "not_implemented")
        let bob = try await fixture.server.makeUser("exec-bob-\(UUID().uuidString.prefix(4).lowercased())")
        #expect(try await Self.exec(fixture, #"{"command":"true"}"#, token: .some(bob)).status == 404, "another user's workspace is not found")
        #expect(try await Self.exec(fixture, #"{"command":"true"}"#, token: .some(nil)).status == 401)
    }
}
