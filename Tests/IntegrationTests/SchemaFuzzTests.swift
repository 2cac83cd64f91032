import CubicleTestSupport
import Foundation
import Testing

/// schemathesis (installed by `make test` into `.build/pytools`) generates requests from
/// `docs/openapi.yaml` — valid and invalid — against a live server with a token: no response may
/// be a server error, and every response must match the documented status codes, content types
/// and schemas.
@Suite struct SchemaFuzzTests {
    static var schemathesis: String {
        ProcessInfo.processInfo.environment["CUBICLE_SCHEMATHESIS"] ?? "\(ServerHarness.repository)/.build/pytools/bin/st"
    }

    /// The operations that talk to a workspace's sshd.
    static let inWorkspacePaths = "^/workspaces/\\{name\\}/(files|apps|sysinfo|interactive|exec)"

    /// Runs schemathesis once; its output goes to a log file, never an undrained pipe.
    static func run(_ executable: String, _ arguments: [String], in reports: TemporaryDirectory) async throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let child = try await ChildProcess.spawn(
            executable, arguments: arguments, environment: environment, workingDirectory: reports.path,  // its caches stay out of the repository
            logPath: reports.file("st-\(UInt32.random(in: 0...UInt32.max)).log"))
        let status = try await child.wait()
        return (status, try await child.log())
    }

    @Test func generatedRequestsFromTheSpecGetNoServerErrorsAndConformingAnswers() async throws {
        let executable = Self.schemathesis
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestFailure("schemathesis not found at \(executable); `make test` installs it (make pytools)")
        }
        try await ServerHarness.with { server in
            // A token of its own, so fuzzing the token routes cannot revoke the harness's.
            let token = try await server.makeUser("fuzzer", roles: ["admin"])
            let reports = try TemporaryDirectory("cubicle-st")
            defer { reports.remove() }
            let common = [
                "run", "\(ServerHarness.repository)/docs/openapi.yaml", "--url", "\(server.url)/api/v1",
                "-H", "Authorization: Bearer \(token)",
                "--seed", "20261123", "--workers", "2", "--no-color",
                "--generation-database", "none", "--request-timeout", "20",
            ]
            let conformance = "status_code_conformance,content_type_conformance,response_schema_conformance"
            // Everything that does not go into a workspace: no server error at all.
            let control = try await Self.run(
                executable, common + [
                    "--checks", "not_a_server_error,\(conformance)", "--max-examples", "25", "--phases", "coverage,fuzzing",
                    // `/metrics` and the CoCalc API sit at the root (their own `servers: [/]`), which
                    // `--url …/api/v1` overrides; MetricsTests checks the first line by line, CoCalc's own
                    // Python client the second (ShellTests+CoCalc).
                    "--exclude-path-regex", "\(Self.inWorkspacePaths)|^/metrics$|^/api/conat/",
                ], in: reports)
            #expect(control.status == 0, "schemathesis failed:\n\(control.output.suffix(6000))")
            #expect(control.output.contains("passed"), "no test cases ran:\n\(control.output.suffix(2000))")
            // Files, apps and sysinfo reach the workspace's sshd. The instant kubelet reports pods
            // Running without running anything, so `503 ssh_unavailable` is the documented, right
            // answer there; everything else about those answers must still match the spec.
            let inside = try await Self.run(
                executable, common + [
                    // Fuzzing only: schemathesis 4.32's coverage phase crashed inside itself once on these
                    // operations (an internal traceback, not an answer of ours).
                    "--checks", conformance, "--max-examples", "15", "--include-path-regex", Self.inWorkspacePaths,
                    "--phases", "fuzzing",
                ], in: reports)
            #expect(inside.status == 0, "schemathesis failed:\n\(inside.output.suffix(6000))")
            #expect(inside.output.contains("passed"), "no test cases ran:\n\(inside.output.suffix(2000))")
            #expect(try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200)
        }
    }
}
