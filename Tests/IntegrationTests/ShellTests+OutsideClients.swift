import CubicleTestSupport
import Foundation
import Testing

/// Query strings as outside clients encode them: Python's `requests` and `urlencode` write a
/// space as `+` (form encoding, which the Kubernetes API server and every HTTP framework decode),
/// and `%2B` for a literal `+`.
extension ShellTests {
    static let formEncodedClient = #"""
        import json, sys, urllib.parse
        import requests, websocket

        base, token, workspace = sys.argv[1:4]
        auth = {"Authorization": "Bearer " + token}
        files = f"{base}/api/v1/workspaces/{workspace}/files"
        out = {}
        directory = "~/q-" + sys.argv[4]
        r = requests.put(files, params={"path": directory + "/my file.txt", "mkdirs": "true"}, data=b"spaces", headers=auth)
        out["spaced"] = [r.status_code, r.json().get("path")]
        r = requests.put(files, params={"path": directory + "/a+b.txt"}, data=b"plus", headers=auth)
        out["plus"] = [r.status_code, r.json().get("path")]
        r = requests.get(files, params={"path": directory, "list": "true"}, headers=auth)
        out["names"] = sorted(entry["name"] for entry in r.json())
        out["read"] = requests.get(files, params={"path": directory + "/my file.txt"}, headers=auth).text

        def run(query):
            url = base.replace("http", "ws", 1) + f"/api/v1/workspaces/{workspace}/interactive?" + query
            conn = websocket.create_connection(url, header=["Authorization: Bearer " + token], subprotocols=["v5.channel.k8s.io"], timeout=60)
            stdout, status = b"", None
            while status is None:
                opcode, data = conn.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
                if data[:1] == b"\x01":
                    stdout += data[1:]
                elif data[:1] == b"\x03":
                    status = json.loads(data[1:])
            conn.close()
            return [stdout.decode(), status]

        argv = [("command", "sh"), ("command", "-c"), ("command", "echo out; exit 3"), ("tty", "false"), ("stdin", "false")]
        out["urlencode"] = run(urllib.parse.urlencode(argv))
        # What a Kubernetes client library builds by default: `+` for spaces, `;` left as it is.
        out["kubernetes"] = run("command=sh&command=-c&command=echo+out;+exit+3&tty=false&stdin=false")
        out["literal"] = run(urllib.parse.urlencode([("command", "echo"), ("command", "1+1=2"), ("tty", "false"), ("stdin", "false")]))
        # The one-call exec and the start-by-name route, as a script would call them.
        api = f"{base}/api/v1/workspaces/{workspace}"
        r = requests.post(api + "/exec", json={"command": "printf", "args": ["%s|", "my file", "1+1"]}, headers=auth)
        out["exec"] = [r.status_code, r.json().get("stdout"), r.json().get("exitCode")]
        r = requests.post(api + "/start", headers=auth)
        out["start"] = [r.status_code, r.json().get("code")]
        r = requests.get(api + "/exec", headers=auth)
        out["exec_get"] = [r.status_code, r.headers.get("Allow")]
        print(json.dumps(out))
        """#

    @Test func spacesEncodedAsPlusByPythonClientsAreSpacesInPathsAndCommands() async throws {
        let fixture = try ShellWorkspace.get()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let (status, output) = try await PythonTools.run(
            Self.formEncodedClient, [fixture.server.url, fixture.server.adminToken, fixture.name, String(tag)], importing: "websocket")
        try #require(status == 0, "the Python client failed: \(output)")
        let answer = try JSONObject(Data(output.utf8))
        let directory = "/home/admin/q-\(tag)"
        func upload(_ key: String) -> (Int?, String?) {
            let pair = answer[key] as? [Any]
            return ((pair?.first as? NSNumber)?.intValue, pair?.last as? String)
        }
        #expect(upload("spaced") == (201, "\(directory)/my file.txt"), "\(output)")
        #expect(upload("plus") == (201, "\(directory)/a+b.txt"), "%2B is a literal plus: \(output)")
        #expect(answer["names"] as? [String] == ["a+b.txt", "my file.txt"], "\(output)")
        #expect(answer["read"] as? String == "spaces")
        for client in ["urlencode", "kubernetes"] {
            let run = answer[client] as? [Any]
            #expect(run?.first as? String == "out\n", "\(client): \(output)")
            let causes = ((run?.last as? [String: Any])?["details"] as? [String: Any])?["causes"] as? [[String: Any]]
            #expect(causes?.first?["message"] as? String == "3", "\(client) must report exit 3, not 127: \(output)")
        }
        #expect((answer["literal"] as? [Any])?.first as? String == "1+1=2\n", "\(output)")
        let exec = answer["exec"] as? [Any]
        #expect((exec?.first as? NSNumber)?.intValue == 200 && exec?[1] as? String == "my file|1+1|", "\(output)")
        #expect((exec?.last as? NSNumber)?.intValue == 0)
        let start = answer["start"] as? [Any]
        #expect((start?.first as? NSNumber)?.intValue == 409 && start?.last as? String == "already_exists", "a running workspace: \(output)")
        let wrongMethod = answer["exec_get"] as? [Any]
        #expect((wrongMethod?.first as? NSNumber)?.intValue == 405 && wrongMethod?.last as? String == "POST", "\(output)")
    }
}
