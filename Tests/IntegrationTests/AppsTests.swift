import CubicleTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Apps, init scripts and sysinfo through the API, in one real workspace (process kubelet): the
/// bootstrap runs the init scripts and the agent, the API reaches the agent over SSH.
@Suite struct AppsTests {
    /// A blueprint with two init scripts (one fails), an app whose install writes its binary (a
    /// small script printing a line every 0.3 s, restarted when it fails) and python's web server.
    static func blueprint(webPort: Int) -> String { #"""
        blueprint:
          name: apps-it
          description: apps integration test
          image: cubicle/workspace:debian-12
          resources: { cpu: "1", memory: 1Gi }
          env: { GREETING: hello-env }
          storages:
            home:
              enabled: true
              type: local
              path: !cel "'/home/' + user.username"
              claimSpec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
          initScripts:
            - name: breaks
              script: |
                echo "about to break"
                exit 3
            - name: writes
              script: |
                echo "ran with $GREETING" >> "$HOME/init-ran"
          enableApps: true
          apps:
            ticker:
              enabled: true
              binary: !cel "'/home/' + user.username + '/bin/ticker'"
              install: |
                mkdir -p "$HOME/bin"
                printf '%s\n' 'if [ "$1" = --version ]; then echo "ticker 2.0.1"; exit 0; fi' \
                  'n=0' 'while :; do n=$((n + 1)); echo "tick $n"; sleep 0.3; done' > "$HOME/bin/ticker"
                echo "ticker installed"
              start: ["/bin/sh", "~/bin/ticker"]
              protocol: tcp
              restartPolicy: on-failure
              maxRestartBackoff: 2s
              versionCmd: ["/bin/sh", "~/bin/ticker", "--version"]
              versionRegex: "ticker ([0-9.]+)"
            web:
              enabled: true
              binary: /usr/bin/python3
              start: ["/usr/bin/python3", "-m", "http.server", "\#(webPort)", "--bind", "127.0.0.1"]
              listen: \#(webPort)
              protocol: http
              restartPolicy: on-failure
              versionCmd: ["/usr/bin/python3", "--version"]
              versionRegex: "Python (\\d+\\.\\d+\\.\\d+)"
        """#
    }

    @Test func appsInitScriptsAndSysinfoWorkInsideARealWorkspace() async throws {
        let directory = try TemporaryDirectory("cubicle-apps-bp")
        defer { directory.remove() }
        let webPort = try Self.freePort()
        try directory.write("apps-it.yaml", Self.blueprint(webPort: webPort))
        try directory.write("apps-off.yaml", Self.appsOffBlueprint)
        try await ServerHarness.with(blueprints: directory.path, kubelet: .process) { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"apps-it"}"#).json()
            let name = try #require(reply["workspace"] as? String)
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
            Self.expectInitWarning(job)
            let podIP = try #require(try await server.request("GET", "/api/v1/workspaces/\(name)").json()["podIP"] as? String)
            let base = "/api/v1/workspaces/\(name)"

            try await Self.checkErrors(server, base: base)
            let pid = try await Self.installAndStart(server, base: base)
            try await Self.checkLogs(server, base: base, name: name, podIP: podIP)
            try await Self.checkRestartAndStop(server, base: base, name: name, podIP: podIP, pid: pid)
            try await Self.checkPortTaken(server, base: base, name: name, podIP: podIP, port: webPort)
            try await Self.checkSysinfo(server, base: base)
            try await Self.checkSoftStopAndStart(server, base: base, name: name)
            try await Self.checkAppsDisabled(server)
        }
    }

    /// A blueprint that defines an app but leaves `enableApps` off.
    static let appsOffBlueprint = """
        blueprint:
          name: apps-off
          description: an app defined, apps not enabled
          image: cubicle/workspace:debian-12
          resources: { cpu: "1", memory: 1Gi }
          apps:
            web:
              enabled: true
              binary: /usr/bin/python3
              start: ["/usr/bin/python3", "-m", "http.server", "1"]
              protocol: http
        """

    /// `enableApps: false` disables the apps API of that workspace (409 `apps_disabled` with a
    /// message), not only autoStart; sysinfo still answers.
    static func checkAppsDisabled(_ server: ServerHarness) async throws {
        let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"apps-off"}"#).json()
        let name = try #require(reply["workspace"] as? String)
        let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
        try #require(job["result"] as? String == "succeeded", "\(job.list("events").map { $0["message"] ?? "" })")
        let base = "/api/v1/workspaces/\(name)"
        for (method, path) in [("GET", "apps"), ("POST", "apps/web/start"), ("POST", "apps/web/stop"), ("POST", "apps/web/install"), ("GET", "apps/web/logs")] {
            let answer = try await server.request(method, "\(base)/\(path)")
            #expect(answer.status == 409 && Self.code(answer) == "apps_disabled", "\(method) \(path): \(String(decoding: answer.body, as: UTF8.self))")
            #expect((try? answer.json()["msg"] as? String)?.contains("enableApps") == true)
        }
        #expect(try await server.request("GET", "\(base)/sysinfo").status == 200)
    }

    /// The failing init script is one `Warning` status event of the start job; the other is not.
    static func expectInitWarning(_ job: JSONObject) {
        let warnings = job.list("events").filter { $0["type"] as? String == "status" && $0["status"] as? String == "Warning" }
        let messages = warnings.compactMap { $0["message"] as? String }
        #expect(messages.count == 1 && messages.first?.contains("init script breaks failed with exit code 3") == true, "\(messages)")
        #expect(messages.first?.contains("about to break") == true, "the warning quotes the script's last output line: \(messages)")
    }

    static func checkErrors(_ server: ServerHarness, base: String) async throws {
        let bob = try await server.makeUser("bob")
        let foreign = try await server.request("GET", "\(base)/apps", token: .some(bob))
        #expect(foreign.status == 404, "another user's workspace is not found")
        #expect(try await server.request("GET", "\(base)/sysinfo", token: .some(bob)).status == 404)
        let unknown = try await server.request("POST", "\(base)/apps/nope/start")
        #expect(unknown.status == 404 && Self.code(unknown) == "not_found")
        #expect(try await server.request("GET", "\(base)/apps/nope/logs").status == 404)
        let notInstalled = try await server.request("POST", "\(base)/apps/ticker/start")
        #expect(notInstalled.status == 409 && Self.code(notInstalled) == "not_installed")
        #expect(try await server.request("GET", "\(base)/apps/ticker/logs?tail=x").status == 400)
    }

    /// NOT-INSTALLED → install (202) → STOPPED with a version → start → RUNNING with a pid.
    static func installAndStart(_ server: ServerHarness, base: String) async throws -> Int {
        let listed = try await server.request("GET", "\(base)/apps").json().array
        #expect(listed.map { $0["name"] as? String ?? "" } == ["ticker", "web"])
        #expect(listed.first?["status"] as? String == "NOT-INSTALLED")
        #expect(listed.first?["protocol"] as? String == "tcp" && listed.first?["restarts"] as? Int == 0)
        let web = listed.last
        #expect(web?["status"] as? String == "STOPPED" && web?["protocol"] as? String == "http", "\(String(describing: web?.value))")
        #expect((web?["version"] as? String ?? "").hasPrefix("3."), "python's version: \(String(describing: web?.value))")

        let install = try await server.request("POST", "\(base)/apps/ticker/install")
        #expect(install.status == 202, "\(String(decoding: install.body, as: UTF8.self))")
        #expect(try install.json()["status"] as? String == "INSTALLING")
        var app = JSONObject([:])
        try await eventually("the install ends", within: 90) {
            app = try await Self.ticker(server, base: base)
            return app["status"] as? String != "INSTALLING"
        }
        #expect(app["status"] as? String == "STOPPED" && app["version"] as? String == "2.0.1", "\(app.value)")
        let installLog = try await server.request("GET", "\(base)/apps/ticker/logs?type=install")
        #expect(String(decoding: installLog.body, as: UTF8.self).contains("ticker installed"))
        #expect(installLog.headers["content-type"]?.hasPrefix("text/plain") == true)

        let started = try await server.request("POST", "\(base)/apps/ticker/start")
        #expect(started.status == 200, "\(String(decoding: started.body, as: UTF8.self))")
        try await eventually("the app runs", within: 20) {
            app = try await Self.ticker(server, base: base)
            return app["status"] as? String == "RUNNING"
        }
        let pid = try #require(app["pid"] as? Int)
        let again = try await server.request("POST", "\(base)/apps/ticker/start")
        #expect(again.status == 409 && Self.code(again) == "already_running")
        return pid
    }

    /// `tail=N` gives the last N lines; `follow` streams lines written after it began and, once
    /// the client hangs up, leaves no follower in the workspace.
    static func checkLogs(_ server: ServerHarness, base: String, name: String, podIP: String) async throws {
        try await eventually("the app has logged", within: 20) {
            let text = String(decoding: try await server.request("GET", "\(base)/apps/ticker/logs?tail=2").body, as: UTF8.self)
            let lines = text.split(separator: "\n")
            return lines.count == 2 && lines.last?.hasPrefix("tick ") == true
        }
        let before = String(decoding: try await server.request("GET", "\(base)/apps/ticker/logs").body, as: UTF8.self)
        let lastBefore = before.split(separator: "\n").compactMap { line in line.hasPrefix("tick ") ? Int(line.dropFirst(5)) : nil }.max() ?? 0

        let port = try #require(URLComponents(string: server.url)?.port)
        let target = lastBefore + 3
        let streamed = try await StreamingGet.read(
            port: port, path: "\(base)/apps/ticker/logs?follow=true&tail=1", token: server.adminToken
        ) { $0.contains("tick \(target)\n") }
        #expect(streamed.hasPrefix("HTTP/1.1 200"), "\(streamed.prefix(300))")
        #expect(streamed.lowercased().contains("transfer-encoding: chunked"))
        #expect(streamed.contains("tick \(target)\n"), "follow shows lines written after it began: \(streamed.suffix(300))")

        try await eventually("the follower ends with its client", within: 20) {
            let tails = try await WorkspaceSSHTests.ssh(
                server, workspace: name, podIP: podIP,
                "for p in /proc/[0-9]*; do tr '\\000' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^tail .*ticker/app.log' || true")
            return tails.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        }
    }

    /// Killing the app from a shell makes the supervisor restart it and count the restart; stop
    /// leaves it STOPPED with no process.
    static func checkRestartAndStop(_ server: ServerHarness, base: String, name: String, podIP: String, pid: Int) async throws {
        let kill = try await WorkspaceSSHTests.ssh(server, workspace: name, podIP: podIP, "kill -9 \(pid)")
        #expect(kill.status == 0, "\(kill.output)")
        var app = JSONObject([:])
        try await eventually("the supervisor restarts the app", within: 90) {
            app = try await Self.ticker(server, base: base)
            return app["status"] as? String == "RUNNING" && (app["restarts"] as? Int ?? 0) >= 1 && app["pid"] as? Int != pid
        }
        #expect(app["restarts"] as? Int == 1, "\(app.value)")
        let logs = String(decoding: try await server.request("GET", "\(base)/apps/ticker/logs").body, as: UTF8.self)
        #expect(logs.contains("==> "), "the supervisor notes the restart in the log")

        let newPID = try #require(app["pid"] as? Int)
        let stopped = try await server.request("POST", "\(base)/apps/ticker/stop")
        #expect(stopped.status == 200)
        let stoppedApp = try stopped.json()
        #expect(stoppedApp["status"] as? String == "STOPPED" && stoppedApp["pid"] is NSNull, "\(stoppedApp.value)")
        let left = try await WorkspaceSSHTests.ssh(server, workspace: name, podIP: podIP, "kill -0 \(newPID) 2>/dev/null && echo alive || echo gone")
        #expect(left.output == "gone\n", "no process is left after stop")
        #expect(try await Self.ticker(server, base: base)["status"] as? String == "STOPPED", "and it is not restarted")
    }

    /// Another process on the app's port makes it INVALID and its start a `409 port_in_use`;
    /// once the port is free it starts and serves.
    static func checkPortTaken(_ server: ServerHarness, base: String, name: String, podIP: String, port: Int) async throws {
        let squatter = try await WorkspaceSSHTests.ssh(
            server, workspace: name, podIP: podIP,
            "nohup setsid /usr/bin/python3 -m http.server \(port) --bind 127.0.0.1 >/dev/null 2>&1 </dev/null & echo $!")
        let squatterPID = try #require(Int(squatter.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(squatter.output)")
        try await eventually("the app reads INVALID while another process holds its port", within: 20) {
            try await Self.app("web", server, base: base)["status"] as? String == "INVALID"
        }
        let refused = try await server.request("POST", "\(base)/apps/web/start")
        #expect(refused.status == 409 && Self.code(refused) == "port_in_use", "\(String(decoding: refused.body, as: UTF8.self))")
        _ = try await WorkspaceSSHTests.ssh(server, workspace: name, podIP: podIP, "kill \(squatterPID)")
        try await eventually("the port is free again", within: 20) {
            try await Self.app("web", server, base: base)["status"] as? String == "STOPPED"
        }
        let started = try await server.request("POST", "\(base)/apps/web/start")
        #expect(started.status == 200, "\(String(decoding: started.body, as: UTF8.self))")
        try await eventually("the web app runs", within: 20) {
            try await Self.app("web", server, base: base)["status"] as? String == "RUNNING"
        }
        let served = try await WorkspaceSSHTests.ssh(
            server, workspace: name, podIP: podIP,
            "/usr/bin/python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:\(port)/\").status)'")
        #expect(served.output == "200\n", "\(served.output)")
        #expect(try await server.request("POST", "\(base)/apps/web/stop").status == 200)
    }

    static func checkSysinfo(_ server: ServerHarness, base: String) async throws {
        let reply = try await server.request("GET", "\(base)/sysinfo")
        #expect(reply.status == 200)
        let info = try reply.json()
        let system = JSONObject(info["system"] ?? [:])
        #expect((system["memLimitMiB"] as? Int ?? 0) > 0, "\(system.value)")
        #expect((system["memoryUsageMiB"] as? Int ?? -1) >= 0 && (system["memoryUsageMiB"] as? Int ?? .max) <= (system["memLimitMiB"] as? Int ?? 0))
        #expect((system["cpuLimitMillicores"] as? Int ?? 0) > 0)
        #expect((system["uptime"] as? Int ?? 0) > 0)
        #expect(system["cpuAvg1min"] is NSNumber)
        #expect(RFC3339Check.isTime(info["time"] as? String))
        let mounts = info.list("mounts")
        let home = mounts.first { $0["mountPoint"] as? String == "/home/admin" }
        #expect(home != nil, "the home volume is among the mounts: \(mounts.map { $0["mountPoint"] ?? "" })")
        #expect((home?["totalBytes"] as? Int ?? 0) > 0 && home?["readOnly"] as? Bool == false)
    }

    /// A stopped workspace answers 409; started again, the succeeded init script does not run
    /// again while the failed one does (and warns again).
    static func checkSoftStopAndStart(_ server: ServerHarness, base: String, name: String) async throws {
        let stop = try await server.request("DELETE", base).json()
        _ = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 120)
        let notRunning = try await server.request("GET", "\(base)/apps")
        #expect(notRunning.status == 409 && Self.code(notRunning) == "workspace_not_running")

        let restart = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"apps-it"}"#).json()
        let started = try await server.finishedJob(try #require(restart["jobId"] as? String), within: 120)
        #expect(started["result"] as? String == "succeeded")
        expectInitWarning(started)
        let podIP = try #require(try await server.request("GET", base).json()["podIP"] as? String)
        let ran = try await WorkspaceSSHTests.ssh(server, workspace: name, podIP: podIP, "cat ~/init-ran")
        #expect(ran.output == "ran with hello-env\n", "the succeeded init script ran once, with the blueprint's env, across the restart")
        let ticker = try await Self.ticker(server, base: base)
        #expect(ticker["status"] as? String == "STOPPED" && ticker["restarts"] as? Int == 0, "installed, not auto-started: \(ticker.value)")

        let delete = try await server.request("DELETE", "\(base)?delete=true").json()
        _ = try await server.finishedJob(try #require(delete["jobId"] as? String), within: 120)
    }

    static func code(_ reply: ServerHarness.Reply) -> String? {
        (try? reply.json())?["code"] as? String
    }

    static func ticker(_ server: ServerHarness, base: String) async throws -> JSONObject {
        try await app("ticker", server, base: base)
    }

    static func app(_ name: String, _ server: ServerHarness, base: String) async throws -> JSONObject {
        let reply = try await server.request("GET", "\(base)/apps")
        guard reply.status == 200 else { throw TestFailure("apps: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))") }
        return try reply.json().array.first { $0["name"] as? String == name } ?? JSONObject([:])
    }

    /// A TCP port nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// RFC 3339 UTC times as the agent writes them.
enum RFC3339Check {
    static func isTime(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil
    }
}
