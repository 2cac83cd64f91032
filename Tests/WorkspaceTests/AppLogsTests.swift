#if canImport(Glibc)
import Glibc
#endif
import Blueprints
import Foundation
import Testing
@testable import LocalCluster

@Suite("Agent: app logs")
struct AppLogsTests {
    static let talker = TestBlueprints.shell("echo hello from talker; exec sleep 1000")

    @Test(arguments: AgentShell.allCases)
    func followStreamsNewLinesAndEndsWhenItsReaderGoes(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-start", "talker")
            let logPath = workspace.stateDirectory("talker") + "/app.log"
            #expect(await eventually { ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("hello from talker") })

            let follower = try await Programs.start(workspace.command(["app-logs", "talker", "--follow"]), environment: workspace.environment)
            let marker = "written-after-follow-\(UInt32.random(in: 0...UInt32.max))"
            let stdout = follower.stdout
            let reader = Task { await PipeReader.read(fd: stdout, limit: 1 << 20) { String(decoding: $0, as: UTF8.self).contains(marker) } }
            #expect(await eventually { await !tails(of: logPath).isEmpty }, "the follower runs tail")
            try append("\(marker)\n", to: logPath)
            let text = String(decoding: await reader.value, as: UTF8.self)
            #expect(text.contains("hello from talker"), "follow starts with what is there")
            #expect(text.contains(marker), "and streams what is written after")

            // The reader is gone; the next line written makes the pipe break (busybox's tail only
            // notices then; GNU tail notices at once).
            let child = follower.child
            let ended = try await eventually(timeout: 20) {
                try append("after the reader left\n", to: logPath)
                return await eventually(timeout: 0.2) { child.hasExited }
            }
            #expect(ended, "the follower exits once its reader is gone")
            _ = await Programs.wait(follower.child, timeout: 5)
            #expect(await eventually(timeout: 5) { await tails(of: logPath).isEmpty }, "no tail is left behind")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func followEndsOnSIGTERMWithoutLeavingItsTail(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-start", "talker")
            let logPath = workspace.stateDirectory("talker") + "/app.log"
            let follower = try await Programs.start(workspace.command(["app-logs", "talker", "--follow", "--tail", "1"]), environment: workspace.environment)
            let stdout = follower.stdout
            let reader = Task { await PipeReader.read(fd: stdout, limit: 1 << 20) }
            #expect(await eventually { await !tails(of: logPath).isEmpty })
            follower.child.signal(SIGTERM)
            let status = await Programs.wait(follower.child, timeout: 10)
            #expect(status == .exited(0), "status \(status)")
            _ = await reader.value
            #expect(await eventually(timeout: 5) { await tails(of: logPath).isEmpty }, "no tail is left behind")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func followWithStdinEOFEndsWhenItsStdinEnds(shell: AgentShell) async throws {
        // The API's follower: its SSH channel closing ends its stdin, and nothing else tells it.
        // Here stdin is /dev/null, so it has ended before the follow begins.
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-start", "talker")
            let logPath = workspace.stateDirectory("talker") + "/app.log"
            let follower = try await Programs.start(
                workspace.command(["app-logs", "talker", "--follow", "--stdin-eof"]), environment: workspace.environment)
            let stdout = follower.stdout
            let reader = Task { await PipeReader.read(fd: stdout, limit: 1 << 20) }
            let status = await Programs.wait(follower.child, timeout: 15)
            #expect(status == .exited(0), "the follower ends on its own once stdin ends: \(status)")
            _ = await reader.value
            #expect(await eventually(timeout: 5) { await tails(of: logPath).isEmpty }, "no tail is left behind")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func followEndsWhenTheSessionThatStartedItGoesAway(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-start", "talker")
            let logPath = workspace.stateDirectory("talker") + "/app.log"
            // Like an SSH session's shell that dies without a signal reaching the agent: the agent
            // is orphaned, with nobody reading (its output goes nowhere, so no pipe breaks either).
            let agent = workspace.command(["app-logs", "talker", "--follow"]).map { "'\($0)'" }.joined(separator: " ")
            let parent = try await Programs.start(
                ["/bin/sh", "-c", "\(agent) >/dev/null 2>&1 & echo $!; wait"], environment: workspace.environment)
            let stdout = parent.stdout
            let line = await PipeReader.read(fd: stdout, limit: 64) { $0.contains(UInt8(ascii: "\n")) }
            let pid = try #require(pid_t(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(await eventually { await !tails(of: logPath).isEmpty })
            parent.child.signal(SIGKILL)
            _ = await Programs.wait(parent.child, timeout: 5)
            #expect(await eventually(timeout: 10) { !(await isAlive(pid)) }, "the orphaned agent ends")
            #expect(await eventually(timeout: 5) { await tails(of: logPath).isEmpty }, "and takes its tail with it")
        }
    }

    @Test(arguments: AgentShell.allCases)
    func appLogIsRotatedPastItsSizeBoundAndLogsReadBothFiles(shell: AgentShell) async throws {
        // 120 lines of 50-odd bytes: past the 4000-byte bound once, never twice. They are written
        // in one burst, so the once-a-second rotation does not land among them (a line written in
        // the instant of a copy-and-truncate rotation can be lost).
        let chatty = TestBlueprints.shell(
            "i=0; while [ $i -lt 120 ]; do i=$((i + 1)); echo \"line $i of a chatty app, padding its lines to fifty\"; done; echo done-writing; exec sleep 1000")
        try await withAgentWorkspace(
            shell: shell, spec: TestBlueprints.spec(["chatty": chatty]), environment: ["CUBICLE_APP_LOG_MAX_BYTES": "4000"]
        ) { workspace in
            _ = try await workspace.json(AppDocument.self, "app-start", "chatty")
            let directory = workspace.stateDirectory("chatty")
            #expect(try await eventually {
                guard FileManager.default.fileExists(atPath: directory + "/app.log.1") else { return false }
                return try await workspace.run("app-logs", "chatty").stdout.contains("done-writing")
            }, "the app wrote all its lines and the log was rotated")
            let rotated = try #require(try? FileManager.default.attributesOfItem(atPath: directory + "/app.log.1")[.size] as? Int)
            #expect(rotated > 4000)
            let tail = try await workspace.run("app-logs", "chatty", "--tail", "3")
            #expect(tail.stdout.split(separator: "\n").count == 3, "tail: \(tail.stdout)")
            let all = try await workspace.run("app-logs", "chatty")
            #expect(all.stdout.hasPrefix("==> "), "the rotated part comes first: \(all.stdout.prefix(200))")
            #expect(all.stdout.contains("line 1 of a chatty app") && all.stdout.contains("line 120 of a chatty app"))
        }
    }

    @Test(arguments: AgentShell.allCases)
    func logsOfAnUnknownAppOrWithABadTailAreJSONErrors(shell: AgentShell) async throws {
        try await withAgentWorkspace(shell: shell, spec: TestBlueprints.spec(["talker": Self.talker])) { workspace in
            let unknown = try await workspace.run("app-logs", "nope")
            #expect(unknown.exitCode != 0)
            #expect(try decode(AgentErrorDocument.self, unknown).error == "not_found")
            let badTail = try await workspace.run("app-logs", "talker", "--tail", "x")
            #expect(try decode(AgentErrorDocument.self, badTail).error == "invalid_request")
            let empty = try await workspace.run("app-logs", "talker")
            #expect(empty.exitCode == 0 && empty.stdout.isEmpty, "a never started app has an empty log")
        }
    }
}

/// `tail` processes reading `path`.
func tails(of path: String) async -> [pid_t] {
    await scanning {
        ProcFS.allPIDs().filter { pid in
            guard let info = ProcFS.stat(pid), info.state != "Z" else { return false }
            let arguments = (FileIO.read("/proc/\(pid)/cmdline") ?? "").split(separator: "\0").map(String.init)
            return arguments.contains(path) && arguments.contains { $0 == "tail" || $0.hasSuffix("/tail") }
        }
    }
}

/// Appends `text` to the file at `path`, as an app writing its log would.
func append(_ text: String, to path: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
}
