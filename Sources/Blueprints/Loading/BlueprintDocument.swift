/// The four shapes a file may take: `blueprints: [ … ]`, `blueprint: { … }`, one bare
/// blueprint mapping, or a bare list of blueprints (and nothing at all, for an empty file).
enum BlueprintDocument {
    /// The blueprint mappings of one document; shape problems are appended to `diagnostics`.
    static func blueprintNodes(in document: YAMLNode, diagnostics: inout [BlueprintDiagnostic]) -> [YAMLNode] {
        switch document.value {
        case .scalar(let scalar):
            if case .null = scalar.kind { return [] }
            diagnostics.append(BlueprintDiagnostic(
                document.location, document.path,
                "expected a blueprint mapping, a list of blueprints, \"blueprints:\" or \"blueprint:\", got \(scalar.kind)"
            ))
            return []
        case .sequence(let items):
            return mappings(items, diagnostics: &diagnostics)
        case .mapping(let entries):
            let wrapper = entries.first { $0.key == "blueprints" || $0.key == "blueprint" }
            guard let wrapper else { return [document] }
            for entry in entries where entry.key != wrapper.key {
                diagnostics.append(BlueprintDiagnostic(
                    entry.keyLocation, document.path.appending(entry.key),
                    "unexpected key \"\(entry.key)\" beside \"\(wrapper.key)\" (put blueprint fields inside it)"
                ))
            }
            let value = wrapper.value
            if value.isNull { return [] }
            if wrapper.key == "blueprint" {
                return mappings([value], diagnostics: &diagnostics)
            }
            guard let items = value.items else {
                diagnostics.append(BlueprintDiagnostic(value.location, value.path, "expected a list of blueprints, got \(value.kindDescription)"))
                return []
            }
            return mappings(items, diagnostics: &diagnostics)
        }
    }

    private static func mappings(_ items: [YAMLNode], diagnostics: inout [BlueprintDiagnostic]) -> [YAMLNode] {
        items.filter { item in
            if item.entries != nil { return true }
            diagnostics.append(BlueprintDiagnostic(item.location, item.path, "expected a blueprint mapping, got \(item.kindDescription)"))
            return false
        }
    }
}
