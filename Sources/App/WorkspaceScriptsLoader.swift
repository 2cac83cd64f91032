import Blueprints
import Foundation

/// Reads the scripts every workspace runs from the `workspace/` directory.
public enum WorkspaceScriptsLoader {
    /// `bootstrap` and `sshd_config` are required; `agent`, `credential-helper` and `exec-wrapper` are optional.
    public static func load(from directory: String) async throws -> WorkspaceScripts {
        try await Offload.run {
            let base = directory as NSString
            let bootstrap = try FileIO.read(base.appendingPathComponent("bootstrap"))
            let sshd = try FileIO.read(base.appendingPathComponent("sshd_config"))
            let agent = try? FileIO.read(base.appendingPathComponent("agent"))
            let helper = try? FileIO.read(base.appendingPathComponent("credential-helper"))
            let exec = try? FileIO.read(base.appendingPathComponent("exec-wrapper"))
            return WorkspaceScripts(bootstrap: bootstrap, sshdConfig: sshd, agent: agent, credentialHelper: helper, execWrapper: exec)
        }
    }
}
