import CubicleModel

/// Evaluates a recipe for one workspace, filling in the format's defaults.
struct Instantiation {
    let blueprint: String
    let activation: CELActivation

    private func value<T>(_ evaluable: Evaluable<T>?) throws(BlueprintError) -> T? {
        try evaluable?.value(in: activation, blueprint: blueprint)
    }

    private func values<T>(_ evaluables: [Evaluable<T>]?) throws(BlueprintError) -> [T]? {
        guard let evaluables else { return nil }
        var out: [T] = []
        for evaluable in evaluables { out.append(try evaluable.value(in: activation, blueprint: blueprint)) }
        return out
    }

    private func json(_ template: JSONTemplate?) throws(BlueprintError) -> JSONValue? {
        try template?.value(in: activation, blueprint: blueprint)
    }

    private func missing(_ field: String) -> BlueprintError {
        BlueprintError.evaluation(blueprint, field: field, "required")
    }

    mutating func spec(from recipe: BlueprintRecipe) throws(BlueprintError) -> BlueprintSpec {
        guard let image = try value(recipe.image) else { throw missing("image") }
        var spec = BlueprintSpec(name: blueprint, description: recipe.description, image: image)
        spec.imagePullPolicy = try value(recipe.imagePullPolicy) ?? .ifNotPresent
        for (name, evaluable) in recipe.env { spec.env[name] = try value(evaluable) }
        spec.resources = ResourceSpec(cpuLimit: try value(recipe.cpu), memoryLimit: try value(recipe.memory))
        for storage in recipe.storages { spec.storages[storage.name] = try self.storage(storage) }
        for script in recipe.initScripts {
            guard let text = try value(script.script) else { continue }
            spec.initScripts.append(InitScript(name: script.name, script: text))
        }
        spec.enableApps = try value(recipe.enableApps) ?? false
        for app in recipe.apps { spec.apps[app.name] = try self.app(app) }
        spec.network = NetworkSpec(
            policyClass: try value(recipe.networkPolicyClass) ?? .workspace,
            allowEgressToCIDRs: try values(recipe.allowEgressToCIDRs) ?? []
        )
        spec.securityContext = try json(recipe.securityContext)
        spec.nodeSelector = try json(recipe.nodeSelector)
        spec.tolerations = try json(recipe.tolerations)
        spec.idleTimeoutSeconds = try value(recipe.idleTimeout)?.wholeSeconds
        for (path, evaluable) in recipe.extFiles { spec.extFiles[path] = try value(evaluable) }
        spec.recordSessions = try value(recipe.recordSessions) ?? false
        return spec
    }

    private func storage(_ recipe: StorageRecipe) throws(BlueprintError) -> StorageSpec {
        let field = "storages.\(recipe.name)"
        guard let type = recipe.type else { throw missing("\(field).type") }
        guard let path = try value(recipe.path) else { throw missing("\(field).path") }
        var annotations: [String: String] = [:]
        for (key, evaluable) in recipe.claimSpecAnnotations { annotations[key] = try value(evaluable) }
        let id = try value(recipe.id)
        if type == .shared, id == nil { throw missing("\(field).id") }
        return StorageSpec(
            enabled: try value(recipe.enabled) ?? true, type: type, path: path, readOnly: try value(recipe.readOnly) ?? false,
            sizeLimit: try value(recipe.sizeLimit), claimSpec: try json(recipe.claimSpec), claimSpecAnnotations: annotations,
            retain: try value(recipe.retain) ?? false, id: id
        )
    }

    private func app(_ recipe: AppRecipe) throws(BlueprintError) -> AppSpec {
        AppSpec(
            enabled: try value(recipe.enabled) ?? true,
            binary: try value(recipe.binary),
            install: try value(recipe.install),
            installAsRoot: try value(recipe.installAsRoot) ?? false,
            start: try values(recipe.start) ?? [],
            listen: try value(recipe.listen),
            protocol: try value(recipe.protocol) ?? .http,
            restartPolicy: try value(recipe.restartPolicy) ?? .never,
            maxRestartBackoffSeconds: try value(recipe.maxRestartBackoff)?.wholeSeconds ?? AppSpec.defaultMaxRestartBackoffSeconds,
            autoStart: try value(recipe.autoStart) ?? false,
            versionCmd: try values(recipe.versionCmd),
            versionRegex: try value(recipe.versionRegex)
        )
    }
}
