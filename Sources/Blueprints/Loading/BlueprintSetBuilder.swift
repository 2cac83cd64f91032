/// The pure half of a load: from file texts to a catalog and every diagnostic. Blocking-free and
/// deterministic, so it is what tests of the format drive directly.
struct BlueprintSetBuilder {
    private var diagnostics: [BlueprintDiagnostic] = []
    private var sources: [String: BlueprintSource] = [:]
    private var order: [String] = []
    private var duplicates: [String: [BlueprintDiagnostic]] = [:]
    private var fileOrder: [String: Int] = [:]

    /// Builds the catalog of `files` (in load order), plus problems found before reading them.
    static func build(files: [BlueprintFiles.File], preliminary: [BlueprintDiagnostic] = []) -> (BlueprintCatalog, [BlueprintDiagnostic]) {
        var builder = BlueprintSetBuilder()
        builder.diagnostics = preliminary
        for (index, file) in files.enumerated() {
            builder.fileOrder[file.display] = index
            builder.add(file)
        }
        return builder.finish()
    }

    private mutating func add(_ file: BlueprintFiles.File) {
        var reader = YAMLReader(file: file.display)
        let documents = reader.read(file.text)
        diagnostics += reader.diagnostics
        for document in documents {
            for node in BlueprintDocument.blueprintNodes(in: document, diagnostics: &diagnostics) {
                addBlueprint(node)
            }
        }
    }

    /// Reads the fields that identify a blueprint and place it in the hierarchy; everything else
    /// is checked after inheritance.
    private mutating func addBlueprint(_ node: YAMLNode) {
        var fields = FieldDecoder()
        defer { diagnostics += fields.diagnostics }
        guard let nameNode = node["name"], !nameNode.isNull else {
            fields.report(at: node.location, path: node.path.appending("name"), "required: every blueprint needs a name")
            return
        }
        guard let name = fields.literal(nameNode, as: .string("a blueprint name", rule: ValueRules.blueprintName), field: .root.appending("name")) else {
            return
        }
        var isTemplate = false
        if let flag = node["isTemplate"], !flag.isNull {
            isTemplate = fields.literal(flag, as: .bool(), field: .root.appending("isTemplate")) ?? false
        }
        var parent: (name: String, node: YAMLNode)?
        if let templateNode = node["template"], !templateNode.isNull,
           let parentName = fields.literal(templateNode, as: .string("a blueprint name", rule: ValueRules.nonEmpty), field: .root.appending("template")) {
            parent = (parentName, templateNode)
        }
        if let first = sources[name] {
            let diagnostic = BlueprintDiagnostic(
                nameNode.location, nameNode.path,
                "duplicate blueprint name \"\(name)\" (also defined at \(first.nameLocation))"
            )
            fields.absorb([diagnostic])
            duplicates[name, default: []].append(diagnostic)
            return
        }
        sources[name] = BlueprintSource(
            name: name, node: node, nameLocation: nameNode.location, isTemplate: isTemplate, parent: parent, order: order.count
        )
        order.append(name)
    }

    private mutating func finish() -> (BlueprintCatalog, [BlueprintDiagnostic]) {
        var resolver = TemplateResolver(sources: sources)
        var valid: [String: ResolvedBlueprint] = [:]
        var invalid: [String: [BlueprintDiagnostic]] = duplicates
        for name in order {
            guard let source = sources[name] else { continue }
            switch resolver.resolve(name) {
            case .failed(let problems):
                diagnostics += problems
                invalid[name, default: []] += problems
            case .merged(let node, let chain):
                var decoder = BlueprintDecoder(concrete: !source.isTemplate)
                let recipe = decoder.decode(node)
                diagnostics += decoder.diagnostics
                if decoder.diagnostics.isEmpty, invalid[name] == nil {
                    valid[name] = ResolvedBlueprint(
                        name: name, description: recipe.description, isTemplate: source.isTemplate,
                        template: source.parent?.name, chain: chain, location: source.nameLocation, recipe: recipe
                    )
                } else {
                    invalid[name, default: []] += decoder.diagnostics
                }
            }
        }
        let catalog = BlueprintCatalog(
            blueprints: valid, invalid: invalid.mapValues(BlueprintSetBuilder.deduplicated), names: order
        )
        return (catalog, sorted(BlueprintSetBuilder.deduplicated(diagnostics)))
    }

    /// A parent's problem is found again for each child that inherits the node; report it once.
    private static func deduplicated(_ diagnostics: [BlueprintDiagnostic]) -> [BlueprintDiagnostic] {
        var seen: Set<BlueprintDiagnostic> = []
        return diagnostics.filter { seen.insert($0).inserted }
    }

    /// File load order, then position; stable for problems at the same position.
    private func sorted(_ diagnostics: [BlueprintDiagnostic]) -> [BlueprintDiagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let left = (fileOrder[lhs.element.location.file] ?? -1, lhs.element.location.line, lhs.element.location.column, lhs.offset)
            let right = (fileOrder[rhs.element.location.file] ?? -1, rhs.element.location.line, rhs.element.location.column, rhs.offset)
            return left < right
        }.map(\.element)
    }
}
