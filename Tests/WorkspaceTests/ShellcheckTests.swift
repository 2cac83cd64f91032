import Testing
@testable import LocalCluster

@Suite("Workspace scripts: shellcheck")
struct ShellcheckTests {
    /// The scripts run under every image's /bin/sh, so they must be plain POSIX sh.
    @Test func everyWorkspaceScriptPassesShellcheckAsPOSIXsh() async throws {
        let output = try await Programs.run(
            ["/usr/bin/shellcheck", "-s", "sh", WorkspaceFiles.agentPath, WorkspaceFiles.bootstrapPath, WorkspaceFiles.credentialHelperPath,
             WorkspaceFiles.execWrapperPath],
            environment: ["PATH": AgentShell.systemPath, "LANG": "C.UTF-8"])
        #expect(output.status == .exited(0), "shellcheck:\n\(output.stdout)\(output.stderr)")
    }
}
