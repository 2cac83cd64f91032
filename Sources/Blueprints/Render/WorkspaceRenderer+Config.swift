import CubicleModel

extension WorkspaceRenderer {
    /// The ConfigMap: scripts from `workspace/`, the workspace settings the bootstrap sources,
    /// the blueprint's env, init scripts, extFiles and app definitions.
    func configMap(
        spec: BlueprintSpec, identity: WorkspaceIdentity, names: WorkspaceObjectNames, labels: [String: String]
    ) -> JSONValue {
        var data: [String: String] = [
            "bootstrap": scripts.bootstrap,
            "sshd_config": scripts.sshdConfig,
            "workspace.conf": workspaceConf(spec: spec, identity: identity),
            "env": envFile(spec.env),
        ]
        if let agent = scripts.agent { data["agent"] = agent }
        if let helper = scripts.credentialHelper { data["credential-helper"] = helper }

        var initList = ""
        for (index, script) in spec.initScripts.enumerated() {
            let key = "init-\(index + 1)"
            data[key] = script.script
            initList += "\(key)\t\(Self.fileSafe(script.name))\n"
        }
        if !initList.isEmpty { data["init.list"] = initList }

        var extList = ""
        for (index, path) in spec.extFiles.keys.sorted().enumerated() {
            let key = "extfile-\(index + 1)"
            data[key] = spec.extFiles[path]
            extList += "\(key)\t\(path)\n"
        }
        if !extList.isEmpty { data["extfiles.list"] = extList }

        var appList = ""
        for name in spec.apps.keys.sorted() {
            guard let app = spec.apps[name], app.enabled else { continue }
            let key = Self.fileSafe(name)
            appList += "\(key)\n"
            data["app-\(key).conf"] = appConf(name: name, app: app)
            if let install = app.install { data["app-\(key).install"] = install }
        }
        if !appList.isEmpty { data["apps.list"] = appList }

        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": Self.metadata(name: names.configMap, namespace: identity.namespace, labels: labels),
            "data": Self.stringMap(data),
        ]
    }

    /// Shell assignments the bootstrap sources; every value single-quoted.
    func workspaceConf(spec: BlueprintSpec, identity: WorkspaceIdentity) -> String {
        let settings: [(String, String)] = [
            ("WORKSPACE_NAME", identity.name),
            ("WORKSPACE_USER", identity.username),
            ("WORKSPACE_UID", String(identity.uid)),
            ("WORKSPACE_GID", String(identity.gid)),
            ("WORKSPACE_SHELL", identity.shell),
            ("WORKSPACE_SUDO", identity.sudo ? "true" : "false"),
            ("WORKSPACE_HOME", "/home/\(identity.username)"),
            ("WORKSPACE_SSH_PORT", String(options.sshPort)),
            ("WORKSPACE_ENABLE_APPS", spec.enableApps ? "true" : "false"),
            ("CUBICLE_API_URL", options.apiURL ?? ""),
        ]
        return settings.map { "\($0.0)=\(ShellQuote.word($0.1))\n" }.joined()
    }

    /// `export NAME='value'` lines for `/etc/profile.d`, in name order.
    func envFile(_ env: [String: String]) -> String {
        env.keys.sorted().filter(Self.isShellName).map { "export \($0)=\(ShellQuote.word(env[$0] ?? ""))\n" }.joined()
    }

    /// The definition of one app, as assignments the agent sources.
    func appConf(name: String, app: AppSpec) -> String {
        var settings: [(String, String)] = [
            ("APP_NAME", name),
            ("APP_BINARY", app.binary ?? ""),
            ("APP_START", ShellQuote.words(app.start)),
            ("APP_LISTEN", app.listen.map(String.init) ?? ""),
            ("APP_PROTOCOL", app.protocol.rawValue),
            ("APP_RESTART_POLICY", app.restartPolicy.rawValue),
            ("APP_MAX_RESTART_BACKOFF", String(app.maxRestartBackoffSeconds)),
            ("APP_AUTOSTART", app.autoStart ? "true" : "false"),
            ("APP_INSTALL_AS_ROOT", app.installAsRoot ? "true" : "false"),
            ("APP_HAS_INSTALL", app.install == nil ? "false" : "true"),
        ]
        settings.append(("APP_VERSION_CMD", app.versionCmd.map(ShellQuote.words) ?? ""))
        settings.append(("APP_VERSION_REGEX", app.versionRegex ?? ""))
        return settings.map { "\($0.0)=\(ShellQuote.word($0.1))\n" }.joined()
    }

    /// A name reduced to characters safe in a file name and a shell word.
    static func fileSafe(_ name: String) -> String {
        let safe = name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": return Character(scalar)
            default: return "_"
            }
        }
        let text = String(safe)
        return text.hasPrefix(".") ? "_" + text.dropFirst() : text
    }

    static func isShellName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
