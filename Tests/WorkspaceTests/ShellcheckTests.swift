import Testing
@testable import LocalCluster

@Suite("Workspace scripts: shellcheck")
struct ShellcheckTests {
    /// Both scripts run under every image's /bin/sh, so they must be plain POSIX sh.
    @Test func agentAndBootstrapPassShellcheckAsPOSIXsh() async throws {
        let output = try await Programs.run(
            ["/usr/bin/shellcheck", "-s", "sh", WorkspaceFiles.agentPath, WorkspaceFiles.bootstrapPath],
            environment: ["PATH": AgentShell.systemPath, "LANG": "C.UTF-8"])
        #expect(output.status == .exited(0), "shellcheck:\n\(output.stdout)\(output.stderr)")
    }
}
