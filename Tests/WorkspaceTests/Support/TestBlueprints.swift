import Blueprints
import Foundation

/// The apps the tests run: real programs with real ports.
enum TestBlueprints {
    /// `python3`, which the blueprint names by absolute path like a real one would.
    static let python3: String = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"

    /// `python3 -m http.server` on 127.0.0.1:`port`, restarted when it fails.
    static func web(port: Int, bind: String = "127.0.0.1", autoStart: Bool = false) -> AppSpec {
        AppSpec(
            binary: python3, start: [python3, "-m", "http.server", String(port), "--bind", bind], listen: port,
            protocol: .http, restartPolicy: .onFailure, autoStart: autoStart,
            versionCmd: [python3, "--version"], versionRegex: #"Python (\d+\.\d+\.\d+)"#)
    }

    /// An app whose install script creates its binary (a small script that prints a line a
    /// second); with `gated`, the install waits for `$HOME/install-gate` first.
    static func tool(gated: Bool = false, restartPolicy: AppRestartPolicy = .always) -> AppSpec {
        let gate = gated ? "while [ ! -e \"$HOME/install-gate\" ]; do sleep 0.1; done\n" : ""
        let install = gate + """
            mkdir -p "$HOME/bin"
            cat > "$HOME/bin/tool" <<'TOOL'
            #!/bin/sh
            if [ "$1" = --version ]; then echo "tool version 1.2.3 (build 7)"; exit 0; fi
            n=0
            while :; do n=$((n + 1)); echo "tool tick $n"; sleep 1; done
            TOOL
            chmod +x "$HOME/bin/tool"
            echo "tool installed"
            """
        return AppSpec(
            binary: "~/bin/tool", install: install, start: ["~/bin/tool", "serve"], protocol: .tcp,
            restartPolicy: restartPolicy, maxRestartBackoffSeconds: 4,
            versionCmd: ["$HOME/bin/tool", "--version"], versionRegex: #"tool version ([0-9.]+)"#)
    }

    /// A `/bin/sh` app running `script`.
    static func shell(_ script: String, restartPolicy: AppRestartPolicy = .never, autoStart: Bool = false) -> AppSpec {
        AppSpec(binary: "/bin/sh", start: ["/bin/sh", "-c", script], protocol: .tcp, restartPolicy: restartPolicy, autoStart: autoStart)
    }

    /// A blueprint with these apps (enabled unless `enableApps` says otherwise).
    static func spec(_ apps: [String: AppSpec], enableApps: Bool = true, initScripts: [InitScript] = []) -> BlueprintSpec {
        BlueprintSpec(name: "agent-test", image: "unused", initScripts: initScripts, enableApps: enableApps, apps: apps)
    }
}
