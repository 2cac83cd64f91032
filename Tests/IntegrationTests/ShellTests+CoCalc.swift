import CubicleTestSupport
import Foundation
import Testing

/// The CoCalc API driven by CoCalc's own Python client (`cocalc-api` from PyPI): a Cubicle token
/// is the API key and a workspace is a project.
extension ShellTests {
    static let cocalcClient = #"""
        import json, sys
        import cocalc_api

        host, key, other_key, title, shell_key = sys.argv[1:6]
        hub = cocalc_api.Hub(api_key=key, host=host)
        out = {"ping": hub.system.ping(), "test": hub.system.test()}
        pid = hub.projects.create_project(title=title)
        out["pid"] = pid
        project = cocalc_api.Project(api_key=key, host=host, project_id=pid)
        out["exec"] = project.system.exec(command="echo hello")
        out["bash"] = project.system.exec(command="echo $((6*7)) >&2; exit 4", bash=True)
        out["args"] = project.system.exec(command="printf", args=["%s|", "a b", "it's"])
        out["path"] = project.system.exec(command="pwd", path="..")
        out["state"] = hub.projects.state(project_id=pid)
        out["project_test"] = project.system.test()

        def error(call):
            try:
                call()
            except Exception as e:
                return type(e).__name__ + ": " + str(e)
            return "no error"

        out["async"] = error(lambda: project.system.exec(command="true", async_call=True))
        out["unknown"] = error(lambda: hub.call("system.nope", [{}]))
        out["wrong_key"] = error(lambda: cocalc_api.Hub(api_key="cub_wrong", host=host).system.ping())
        out["foreign"] = error(lambda: cocalc_api.Project(api_key=other_key, host=host, project_id=pid).system.exec(command="id"))
        # Out-of-range numbers are clamped, never a crash of the server.
        out["huge"] = project.system.exec(command="echo ok", max_output=1e300, timeout=1e300)
        # A key narrowed to shell may run commands but not manage projects.
        out["narrow"] = error(lambda: cocalc_api.Hub(api_key=shell_key, host=host).projects.delete(project_id=pid))
        out["stop"] = hub.projects.stop(project_id=pid)
        print(json.dumps(out))
        """#

    @Test func cocalcsOwnPythonClientCreatesAProjectAndRunsCommandsInIt() async throws {
        let fixture = try ShellWorkspace.get()
        let other = try await fixture.server.makeUser("cocalc-\(UUID().uuidString.prefix(6).lowercased())")
        let title = "cc-\(UUID().uuidString.prefix(8).lowercased())"
        let narrow = try await fixture.server.request("POST", "/api/v1/me/tokens", body: #"{"name":"cocalc-shell","scopes":["shell"]}"#).json()
        let shellKey = try #require(narrow["token"] as? String)
        let (status, output) = try await PythonTools.run(
            Self.cocalcClient, [fixture.server.url, fixture.server.adminToken, other, title, shellKey], importing: "cocalc_api")
        try #require(status == 0, "the cocalc-api client failed: \(output)")
        let answer = try JSONObject(Data(output.utf8))
        #expect((answer["ping"] as? [String: Any])?["now"] is NSNumber, "\(output)")
        #expect((answer["test"] as? [String: Any])?["account_id"] as? String == "admin")
        let pid = try #require(answer["pid"] as? String)
        #expect(pid.hasPrefix("admin-"))
        #expect((answer["project_test"] as? [String: Any])?["project_id"] as? String == pid)
        func exec(_ key: String) -> [String: Any] { answer[key] as? [String: Any] ?? [:] }
        #expect(exec("exec")["stdout"] as? String == "hello\n" && exec("exec")["stderr"] as? String == "" && exec("exec")["exit_code"] as? Int == 0, "\(output)")
        #expect(exec("bash")["stderr"] as? String == "42\n" && exec("bash")["exit_code"] as? Int == 4)
        #expect(exec("args")["stdout"] as? String == "a b|it's|")
        #expect(exec("path")["stdout"] as? String == "/home\n", "path is relative to the home directory")
        #expect((answer["state"] as? [String: Any])?["state"] as? String == "running")
        #expect((answer["async"] as? String)?.contains("not available") == true, "\(output)")
        #expect((answer["unknown"] as? String)?.contains("unknown method") == true)
        #expect((answer["wrong_key"] as? String)?.hasPrefix("HTTPStatusError") == true, "\(output)")
        #expect((answer["foreign"] as? String)?.contains("not found") == true, "another user's workspace is not found: \(output)")
        #expect(exec("huge")["stdout"] as? String == "ok\n", "\(output)")
        #expect((answer["narrow"] as? String)?.contains("workspace:write") == true, "\(output)")

        // The stop went through; GET is not a CoCalc call.
        try await eventually("the project stops") {
            try await fixture.server.request("GET", "/api/v1/workspaces/\(pid)").json()["status"] as? String == "Stopped"
        }
        let get = try await ServerHarness.exchange("GET", fixture.server.url + "/api/conat/hub", bearer: fixture.server.adminToken)
        #expect(get.status == 405)
        _ = try await fixture.server.request("DELETE", "/api/v1/workspaces/\(pid)?delete=true")
    }
}
