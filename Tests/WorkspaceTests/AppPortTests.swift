import Blueprints
import Foundation
import Testing
@testable import LocalCluster

@Suite("Agent: an app's port held by another process")
struct AppPortTests {
    @Test(arguments: AgentShell.allCases)
    func anotherListenerMakesTheAppInvalidAndStartWaitsThenRefuses(shell: AgentShell) async throws {
        let port = try freePort()
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port)])
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            let squatter = try ListeningSocket(port: port)
            #expect(try await workspace.app("web").status == "INVALID")
            let refused = try await workspace.json(AgentErrorDocument.self, "app-start", "web")
            #expect(refused.error == "port_in_use", "start waits up to 5 s for the port, then gives up")
            #expect(refused.message.contains("(pid \(getpid()),"), "and names who holds it: \(refused.message)")
            squatter.close()

            let started = try await workspace.json(AppDocument.self, "app-start", "web")
            #expect(started.status == "RUNNING" || started.status == "PENDING", "the app's own listener is not a conflict: \(started)")
            #expect(try await eventually { try await workspace.app("web").status == "RUNNING" })
        }
    }

    @Test(arguments: AgentShell.allCases)
    func startWaitsForAPortThatIsFreedWithinFiveSeconds(shell: AgentShell) async throws {
        let port = try freePort()
        let spec = TestBlueprints.spec(["web": TestBlueprints.web(port: port)])
        // The squatter is a process that frees the port as soon as the agent says it waits, so
        // the handover never depends on how fast this (loaded) test process gets scheduled.
        let squatter = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port)))
            s.listen()
            print("listening", flush=True)
            said = open(sys.argv[1]).readline()
            s.close()
            sys.stderr.write("squatter heard: " + said)
            """
        let script = """
            dir=$(mktemp -d)
            mkfifo "$dir/err" "$dir/ready"
            "\(TestBlueprints.python3)" -c "$SQUATTER" "$dir/err" >"$dir/ready" &
            read -r line <"$dir/ready"
            if "$@" 2>"$dir/err"; then status=0; else status=$?; fi
            wait
            rm -rf "$dir"
            exit "$status"
            """
        try await withAgentWorkspace(shell: shell, spec: spec) { workspace in
            var environment = workspace.environment
            environment["SQUATTER"] = squatter
            let output = try await Programs.run(["/bin/sh", "-c", script, "sh"] + workspace.command(["app-start", "web"]), environment: environment)
            #expect(output.stderr.contains("squatter heard: agent: port \(port) of app web is in use; waiting up to 5 s"), "\(output.stderr)")
            #expect(output.status == .exited(0), "answer: \(output.stdout) \(output.stderr)")
            let started = try decode(AppDocument.self, output)
            #expect(started.status == "RUNNING" || started.status == "PENDING", "\(output.stdout)")
            #expect(try await eventually { try await workspace.app("web").status == "RUNNING" })
        }
    }
}
