extension BlueprintDecoder {
    mutating func decodeApps(_ node: YAMLNode) -> [AppRecipe] {
        guard let entries = node.entries else {
            fields.report(node, "expected a mapping of app name to app, got \(node.kindDescription)")
            return []
        }
        var apps: [AppRecipe] = []
        var ports: [Int: BlueprintLocation] = [:]
        for entry in entries {
            if let problem = ValueRules.dnsLabel(maxLength: 63)(entry.key) {
                fields.report(at: entry.keyLocation, path: node.path.appending(entry.key), "app name \(problem), got \(FieldType<String>.quoted(entry.key))")
                continue
            }
            if entry.value.isNull { continue }
            guard let app = decodeApp(entry.key, entry.value) else { continue }
            if let port = app.listen?.literal, app.enabled?.literal != false, let listenNode = entry.value["listen"] {
                if let first = ports[port] {
                    fields.report(listenNode, "port \(port) is already used by another app (at \(first))")
                }
                ports[port] = listenNode.location
            }
            apps.append(app)
        }
        return apps
    }

    private mutating func decodeApp(_ name: String, _ node: YAMLNode) -> AppRecipe? {
        guard let values = fields.fields(node, BlueprintSchema.app) else { return nil }
        let path = FieldPath.root.appending("apps").appending(name)
        var app = AppRecipe(name: name)
        app.enabled = values["enabled"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("enabled")) }
        app.binary = values["binary"].flatMap {
            fields.scalar($0, as: .string("an absolute path", rule: ValueRules.absolutePath), field: path.appending("binary"))
        }
        app.install = values["install"].flatMap { fields.scalar($0, as: .string(rule: ValueRules.nonEmpty), field: path.appending("install")) }
        app.installAsRoot = values["installAsRoot"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("installAsRoot")) }
        if let start = values["start"] {
            app.start = fields.list(start, of: .string(rule: ValueRules.nonEmpty), field: path.appending("start"), nonEmpty: true)
        } else if concrete, app.enabled?.literal != false {
            fields.report(at: node.location, path: values.path(of: "start"), "required: the argv that starts the app")
        }
        app.listen = values["listen"].flatMap { fields.scalar($0, as: .int(in: 1...65_535), field: path.appending("listen")) }
        app.protocol = values["protocol"].flatMap { fields.scalar($0, as: .enumeration(), field: path.appending("protocol")) }
        app.restartPolicy = values["restartPolicy"].flatMap { fields.scalar($0, as: .enumeration(), field: path.appending("restartPolicy")) }
        app.maxRestartBackoff = values["maxRestartBackoff"].flatMap {
            fields.scalar($0, as: .duration(), field: path.appending("maxRestartBackoff"))
        }
        app.autoStart = values["autoStart"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("autoStart")) }
        app.versionCmd = values["versionCmd"].flatMap {
            fields.list($0, of: .string(rule: ValueRules.nonEmpty), field: path.appending("versionCmd"), nonEmpty: true)
        }
        app.versionRegex = values["versionRegex"].flatMap {
            fields.scalar($0, as: .string("a regular expression", rule: ValueRules.versionRegex), field: path.appending("versionRegex"))
        }
        return app
    }
}
