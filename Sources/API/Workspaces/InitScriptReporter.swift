import CubicleModel
import Logging
import Provisioner
import Synchronization

/// Reads how a started workspace's init scripts went (`agent init-status` over SSH) and turns
/// each failure into a `Warning` status entry for the start job. The bootstrap runs the init
/// scripts before it starts sshd, and the pod is ready only once sshd listens, so when the
/// provisioner sees the workspace Running their outcome is final and readable.
public final class InitScriptReporter: Sendable {
    private let connector = Mutex<WorkspaceConnector?>(nil)
    private let logger: Logger

    /// Creates a reporter; it reports nothing until `attach` gives it a connector (the connector
    /// needs the provisioner, which needs this reporter's hook).
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Supplies the connector the reporter reaches workspaces through.
    public func attach(_ connector: WorkspaceConnector) {
        self.connector.withLock { $0 = connector }
    }

    /// The trail entries for `workspace`: one `Warning` per failed init script (none, and a log
    /// line, when the status cannot be read).
    public func warnings(for workspace: String) async -> [TrailEntry] {
        guard let connector = connector.withLock({ $0 }) else { return [] }
        let object = "Pod/\(workspace)"
        do {
            let document = try await WorkspaceAgent(connector: connector).document(workspace, ["init-status"])
            return (document.arrayValue ?? []).compactMap { script in
                guard script["status"]?.stringValue == "failed" else { return nil }
                let name = script["name"]?.stringValue ?? "?"
                let code = script["exitCode"]?.intValue.map { " with exit code \($0)" } ?? ""
                let lastLine = (script["log"]?.stringValue ?? "").split(separator: "\n").last.map { ": \($0.prefix(200))" } ?? ""
                return TrailEntry(
                    type: .status, objectName: object,
                    message: "init script \(name) failed\(code)\(lastLine) (log: ~/.cubicle/init/\(name).log)", status: "Warning")
            }
        } catch {
            // Not a script failure, and an unreachable sshd shows in every shell and app call;
            // the log says why the status is missing (pods without sshd, e.g. the instant kubelet).
            logger.warning("could not read init script status", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
            return []
        }
    }
}
