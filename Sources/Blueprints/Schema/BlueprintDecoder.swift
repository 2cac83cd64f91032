import CubicleModel

/// Validates one blueprint's merged node and reads it into a `BlueprintRecipe`. Value and type
/// rules apply to every blueprint; "required" rules only to concrete ones, since a template may
/// leave fields for its children to fill in.
struct BlueprintDecoder {
    var fields = FieldDecoder()
    let concrete: Bool

    init(concrete: Bool) { self.concrete = concrete }

    var diagnostics: [BlueprintDiagnostic] { fields.diagnostics }

    mutating func decode(_ node: YAMLNode) -> BlueprintRecipe {
        var recipe = BlueprintRecipe()
        guard let members = fields.fields(node, BlueprintSchema.blueprint) else { return recipe }
        let root = FieldPath.root

        if let description = members["description"] {
            recipe.description = fields.literal(description, as: .string(rule: ValueRules.description), field: root.appending("description"))
        }
        if let image = members["image"] {
            recipe.image = fields.scalar(image, as: .string("an image reference", rule: ValueRules.image), field: root.appending("image"))
        } else if concrete {
            fields.report(at: node.location, path: members.path(of: "image"), "required: a concrete blueprint needs an image (here or in a parent template)")
        }
        if let policy = members["imagePullPolicy"] {
            recipe.imagePullPolicy = fields.scalar(policy, as: .enumeration(), field: root.appending("imagePullPolicy"))
        }
        if let env = members["env"] {
            recipe.env = fields.map(env, keyRule: ValueRules.envName, of: .string(lenient: true), field: root.appending("env"))?
                .map { (name: $0.key, value: $0.value) } ?? []
        }
        if let resources = members["resources"], let values = fields.fields(resources, BlueprintSchema.resources) {
            let positive = FieldType<Quantity>.quantity(rule: ValueRules.positiveQuantity)
            recipe.cpu = values["cpu"].flatMap { fields.scalar($0, as: positive, field: root.appending("resources").appending("cpu")) }
            recipe.memory = values["memory"].flatMap { fields.scalar($0, as: positive, field: root.appending("resources").appending("memory")) }
        }
        if let storages = members["storages"] { recipe.storages = decodeStorages(storages) }
        if let scripts = members["initScripts"] { recipe.initScripts = decodeInitScripts(scripts) }
        if let enableApps = members["enableApps"] {
            recipe.enableApps = fields.scalar(enableApps, as: .bool(), field: root.appending("enableApps"))
        }
        if let apps = members["apps"] { recipe.apps = decodeApps(apps) }
        if let network = members["network"], let values = fields.fields(network, BlueprintSchema.network) {
            let path = root.appending("network")
            recipe.networkPolicyClass = values["networkPolicyClass"].flatMap {
                fields.scalar($0, as: .enumeration(), field: path.appending("networkPolicyClass"))
            }
            if let cidrs = values["allowEgressToCIDRs"] {
                recipe.allowEgressToCIDRs = fields.list(cidrs, of: .string("a CIDR", rule: ValueRules.cidr), field: path.appending("allowEgressToCIDRs")) ?? []
            }
        }
        if let context = members["securityContext"] { recipe.securityContext = decodeSecurityContext(context) }
        if let selector = members["nodeSelector"] {
            let path = root.appending("nodeSelector")
            let entries = fields.map(selector, keyRule: ValueRules.labelKey, of: .string(lenient: true), field: path) ?? []
            recipe.nodeSelector = JSONTemplate.collapse(.object(Dictionary(
                entries.map { entry in (entry.key, JSONTemplate.from(entry.value.map(JSONValue.string))) },
                uniquingKeysWith: { _, last in last }
            )))
        }
        if let tolerations = members["tolerations"] {
            if let items = tolerations.items {
                for item in items where item.entries == nil { fields.report(item, "expected a mapping (a Kubernetes Toleration), got \(item.kindDescription)") }
                recipe.tolerations = fields.json(tolerations, field: root.appending("tolerations"))
            } else {
                fields.report(tolerations, "expected a list of Kubernetes Tolerations, got \(tolerations.kindDescription)")
            }
        }
        if let idle = members["idleTimeout"] {
            recipe.idleTimeout = fields.scalar(idle, as: .duration(), field: root.appending("idleTimeout"))
        }
        if let files = members["extFiles"] {
            recipe.extFiles = fields.map(files, keyRule: ValueRules.absolutePath, of: .string(lenient: true), field: root.appending("extFiles"))?
                .map { (path: $0.key, content: $0.value) } ?? []
        }
        if let record = members["recordSessions"] {
            recipe.recordSessions = fields.scalar(record, as: .bool(), field: root.appending("recordSessions"))
        }
        return recipe
    }

    private mutating func decodeInitScripts(_ node: YAMLNode) -> [InitScriptRecipe] {
        guard let items = node.items else {
            fields.report(node, "expected a list of {name, script}, got \(node.kindDescription)")
            return []
        }
        var scripts: [InitScriptRecipe] = []
        var seen: [String: BlueprintLocation] = [:]
        for (index, item) in items.enumerated() {
            guard let values = fields.fields(item, BlueprintSchema.initScript) else { continue }
            let path = FieldPath.root.appending("initScripts").appending(index: index)
            guard let nameNode = values["name"] else {
                fields.report(at: item.location, path: values.path(of: "name"), "required")
                continue
            }
            guard let name = fields.literal(nameNode, as: .string(rule: ValueRules.scriptName), field: path.appending("name")) else { continue }
            if let first = seen[name] {
                fields.report(nameNode, "duplicate init script name \"\(name)\" (first at \(first))")
                continue
            }
            seen[name] = nameNode.location
            guard let scriptNode = values["script"] else {
                fields.report(at: item.location, path: values.path(of: "script"), "required")
                continue
            }
            if let script = fields.scalar(scriptNode, as: .string(rule: ValueRules.nonEmpty), field: path.appending("script")) {
                scripts.append(InitScriptRecipe(name: name, script: script))
            }
        }
        return scripts
    }

    private mutating func decodeSecurityContext(_ node: YAMLNode) -> JSONTemplate? {
        guard let entries = node.entries else {
            fields.report(node, "expected a mapping (a Kubernetes SecurityContext), got \(node.kindDescription)")
            return nil
        }
        let path = FieldPath.root.appending("securityContext")
        var members: [String: JSONTemplate] = [:]
        for entry in entries {
            guard entry.key == "runAsNonRoot" else {
                members[entry.key] = fields.json(entry.value, field: path.appending(entry.key))
                continue
            }
            let rule: ValueRule<Bool> = { $0 ? "must not be true: the workspace bootstrap runs as root to create the user" : nil }
            if let flag = fields.scalar(entry.value, as: .bool(rule: rule), field: path.appending(entry.key)) {
                members[entry.key] = JSONTemplate.from(flag.map(JSONValue.bool))
            }
        }
        return JSONTemplate.collapse(.object(members))
    }
}

extension JSONTemplate {
    /// A literal evaluable as a plain value, an expression as an expression leaf.
    static func from(_ evaluable: Evaluable<JSONValue>) -> JSONTemplate {
        evaluable.literal.map(JSONTemplate.value) ?? .expression(evaluable)
    }
}
