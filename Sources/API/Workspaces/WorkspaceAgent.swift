import Blueprints
import CubicleModel
import Hummingbird
import SSHClient

/// Runs `workspace/agent` (mounted from the workspace ConfigMap) over the workspace's pooled SSH
/// session as the workspace user, and turns its `{"error","message"}` documents into API errors.
/// The agent's contract is docs/apps.md.
struct WorkspaceAgent: Sendable {
    let connector: WorkspaceConnector

    /// Where the bootstrap's ConfigMap mounts the agent inside every workspace.
    static let path = WorkspaceKeys.configMountPath + "/agent"
    /// The longest an agent command may take: start and stop wait up to 10 s by contract.
    static let timeout: Double = 30
    /// The largest JSON document read back (an app list or sysinfo is a few KiB).
    static let maxDocumentBytes = 1 << 20

    /// Agent error codes that mean "not now" (409) and travel to the caller as they are.
    static let conflictCodes: Set<String> = [
        "not_installed", "already_running", "already_installed", "installing", "port_in_use", "root_required", "apps_disabled",
    ]

    /// The remote command line: every word single-quoted for the user's login shell.
    static func command(_ arguments: [String]) -> String {
        (["sh", path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    /// The workspace's live SSH session (404/409 come from the connector).
    func session(_ workspace: String) async throws -> SSHSession {
        try await connector.session(for: try connector.endpoint(of: workspace))
    }

    /// Runs one agent command and returns its JSON document.
    func document(_ workspace: String, _ arguments: [String]) async throws -> JSONValue {
        let result = try await session(workspace).run(
            Self.command(arguments), timeout: Self.timeout, maxOutputBytes: Self.maxDocumentBytes)
        let parsed = try? JSONValue.parse(result.stdout)
        if result.exitCode == 0, let parsed { return parsed }
        throw Self.error(document: parsed, result: result, workspace: workspace)
    }

    /// Runs an agent command whose output is plain text (`app-logs`), returning the open channel
    /// for the caller to stream; the command's arguments are checked first so that errors still
    /// answer as JSON with their status.
    func stream(_ workspace: String, check: [String], _ arguments: [String]) async throws -> SSHChannel {
        let session = try await session(workspace)
        let checked = try await session.run(Self.command(check), timeout: Self.timeout, maxOutputBytes: Self.maxDocumentBytes)
        guard checked.exitCode == 0 else {
            throw Self.error(document: try? JSONValue.parse(checked.stdout), result: checked, workspace: workspace)
        }
        return try await session.exec(Self.command(arguments))
    }

    /// The API error for a failed agent command.
    static func error(document: JSONValue?, result: SSHCommandResult, workspace: String) -> APIError {
        if let code = document?["error"]?.stringValue {
            let message = String((document?["message"]?.stringValue ?? code).prefix(500))
            switch code {
            case "not_found": return APIError(.notFound, .notFound, message)
            case "invalid_request": return APIError(.badRequest, .invalidRequest, message)
            case _ where conflictCodes.contains(code): return APIError(.conflict, ErrorCode(rawValue: code), message)
            default: return APIError(.internalServerError, .internalError, "the workspace agent failed: \(message)")
            }
        }
        if result.exitCode == 127 {
            return APIError(.internalServerError, .internalError, "workspace \(workspace) has no agent at \(path) (started before apps existed?)")
        }
        let detail = String(result.stderrText.suffix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
        return APIError(.internalServerError, .internalError, "the workspace agent failed (\(result.exit)): \(detail)")
    }
}
