/// Merges a parent blueprint's node into a child's at the YAML level: scalars — the child wins;
/// mappings — key by key; lists — parent's items then the child's, except `initScripts` (merged
/// by `name`, a child's entry replacing the parent's in place), and the argv lists
/// `apps.*.start`, `apps.*.versionCmd` and `claimSpec.accessModes`, which the child replaces.
/// `isTemplate` is never inherited. Merged nodes keep their own positions, so a problem found
/// later still points at the file and line that wrote it.
enum NodeMerge {
    static func inherit(parent: YAMLNode, child: YAMLNode) -> YAMLNode {
        var parent = parent
        if case .mapping(let entries) = parent.value {
            parent.value = .mapping(entries.filter { $0.key != "isTemplate" })
        }
        return merge(parent, child, keys: [])
    }

    private enum ListRule {
        case append
        case replace
        case byName
    }

    private static func listRule(for keys: [String]) -> ListRule {
        if keys == ["initScripts"] { return .byName }
        if keys.count == 3, keys[0] == "apps", keys[2] == "start" || keys[2] == "versionCmd" { return .replace }
        if keys.count >= 2, keys[keys.count - 2] == "claimSpec", keys[keys.count - 1] == "accessModes" { return .replace }
        return .append
    }

    private static func merge(_ parent: YAMLNode, _ child: YAMLNode, keys: [String]) -> YAMLNode {
        switch (parent.value, child.value) {
        case (.mapping(let parentEntries), .mapping(let childEntries)):
            var merged: [YAMLEntry] = []
            var childByKey: [String: YAMLEntry] = [:]
            for entry in childEntries { childByKey[entry.key] = entry }
            var taken: Set<String> = []
            for entry in parentEntries {
                if let override = childByKey[entry.key] {
                    var combined = override
                    combined.value = merge(entry.value, override.value, keys: keys + [entry.key])
                    merged.append(combined)
                    taken.insert(entry.key)
                } else {
                    merged.append(entry)
                }
            }
            merged += childEntries.filter { !taken.contains($0.key) }
            return YAMLNode(value: .mapping(merged), location: child.location, path: child.path)
        case (.sequence(let parentItems), .sequence(let childItems)):
            switch listRule(for: keys) {
            case .replace:
                return child
            case .append:
                return YAMLNode(value: .sequence(parentItems + childItems), location: child.location, path: child.path)
            case .byName:
                var merged = parentItems
                for item in childItems {
                    if let name = scriptName(item), let index = merged.firstIndex(where: { scriptName($0) == name }) {
                        merged[index] = item
                    } else {
                        merged.append(item)
                    }
                }
                return YAMLNode(value: .sequence(merged), location: child.location, path: child.path)
            }
        default:
            return child
        }
    }

    private static func scriptName(_ node: YAMLNode) -> String? {
        guard let scalar = node["name"]?.scalar, case .string = scalar.kind else { return nil }
        return scalar.text
    }
}
