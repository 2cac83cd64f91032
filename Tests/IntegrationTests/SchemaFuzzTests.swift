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
            let arguments = [
                "run", "\(ServerHarness.repository)/docs/openapi.yaml", "--url", "\(server.url)/api/v1",
                "-H", "Authorization: Bearer \(token)",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "25", "--seed", "20261123", "--workers", "2", "--no-color",
                "--phases", "coverage,fuzzing", "--generation-database", "none", "--request-timeout", "20",
                // A WebSocket upgrade is not an HTTP exchange schemathesis can judge.
                "--exclude-path-regex", "/interactive$",
                "--report", "junit", "--report-dir", reports.path,
            ]
            let (status, output) = try await blocking { () -> (Int32, String) in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.currentDirectoryURL = URL(fileURLWithPath: reports.path)
                var environment = ProcessInfo.processInfo.environment
                environment["NO_COLOR"] = "1"
                process.environment = environment
                let logPath = reports.file("st.log")
                _ = FileManager.default.createFile(atPath: logPath, contents: nil)
                guard let log = FileHandle(forWritingAtPath: logPath) else { throw TestFailure("cannot write \(logPath)") }
                process.standardOutput = log
                process.standardError = log
                process.standardInput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                try log.close()
                return (process.terminationStatus, (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
            }
            #expect(status == 0, "schemathesis failed:\n\(output.suffix(6000))")
            #expect(output.contains("passed"), "no test cases ran:\n\(output.suffix(2000))")
            #expect(try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200)
        }
    }
}
