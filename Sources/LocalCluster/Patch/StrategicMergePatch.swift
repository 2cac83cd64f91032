import CubicleModel

/// An approximation of Kubernetes' strategic merge patch without per-type schemas: JSON merge
/// patch semantics, except that lists named in `ListMergeKeys` merge element by element on their
/// key (containers, volumes, env, ports, ...) and `finalizers` merges as a set. The directives
/// `$patch: replace|delete|merge`, `$retainKeys` and `$deleteFromPrimitiveList/<field>` are honoured;
/// `$setElementOrder/<field>` is accepted and ignored (merged lists keep the live order).
enum StrategicMergePatch {
    /// Applies `patch` to `original`.
    static func apply(_ patch: JSONValue, to original: JSONValue) throws(PatchFailure) -> JSONValue {
        guard patch.objectValue != nil else {
            throw PatchFailure(message: "a strategic merge patch must be a JSON object", malformed: true)
        }
        return try mergeObject(original.objectValue ?? [:], patch) ?? .object([:])
    }

    /// Merges a patch object into `original`; nil means the object was deleted by `$patch: delete`.
    private static func mergeObject(_ original: [String: JSONValue], _ patch: JSONValue) throws(PatchFailure) -> JSONValue? {
        guard var patchMembers = patch.objectValue else { return patch }
        let directive = patchMembers.removeValue(forKey: "$patch")?.stringValue
        switch directive {
        case "delete": return nil
        case "replace": return .object(stripDirectives(patchMembers))
        case nil, "merge": break
        case let other?: throw PatchFailure(message: "unknown patch directive \"\(other)\"", malformed: true)
        }
        let retainKeys = patchMembers.removeValue(forKey: "$retainKeys")?.arrayValue?.compactMap(\.stringValue)
        var result = original
        for (key, value) in patchMembers {
            if key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let doomed = value.arrayValue ?? []
                if let list = result[field]?.arrayValue { result[field] = .array(list.filter { !doomed.contains($0) }) }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            let current = result[key]
            switch (current, value) {
            case (.object(let members)?, .object):
                result[key] = try mergeObject(members, value)
            case (.array(let elements)?, .array(let patchElements)):
                result[key] = .array(try mergeList(field: key, elements, patchElements))
            default:
                result[key] = try fresh(value, field: key)
            }
        }
        if let retainKeys {
            let keep = Set(retainKeys)
            result = result.filter { keep.contains($0.key) }
        }
        return .object(result)
    }

    private static func mergeList(field: String, _ original: [JSONValue], _ patch: [JSONValue]) throws(PatchFailure) -> [JSONValue] {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            var replaced: [JSONValue] = []
            for element in patch where element["$patch"]?.stringValue != "replace" {
                if let value = try fresh(element, field: nil) { replaced.append(value) }
            }
            return replaced
        }
        if ListMergeKeys.isSet(field) {
            var result = original
            for element in patch where !result.contains(element) { result.append(element) }
            return result
        }
        guard let keyFields = ListMergeKeys.keyFields(for: field, elements: original + patch) else {
            var replaced: [JSONValue] = []
            for element in patch {
                if let value = try fresh(element, field: nil) { replaced.append(value) }
            }
            return replaced
        }
        var result = original
        for element in patch {
            guard element.objectValue != nil, let key = ListMergeKeys.key(of: element, fields: keyFields) else {
                throw PatchFailure(message: "list \"\(field)\" elements must carry \(keyFields.joined(separator: ","))", malformed: false)
            }
            let index = result.firstIndex { ListMergeKeys.key(of: $0, fields: keyFields) == key }
            if element["$patch"]?.stringValue == "delete" {
                if let index { result.remove(at: index) }
                continue
            }
            if let index {
                if let merged = try mergeObject(result[index].objectValue ?? [:], element) {
                    result[index] = merged
                } else {
                    result.remove(at: index)
                }
            } else if let added = try fresh(element, field: nil) {
                result.append(added)
            }
        }
        return result
    }

    /// A patch value that lands where nothing was: directives resolved against an empty original.
    private static func fresh(_ value: JSONValue, field: String?) throws(PatchFailure) -> JSONValue? {
        switch value {
        case .object: return try mergeObject([:], value)
        case .array(let elements) where field != nil: return .array(try mergeList(field: field ?? "", [], elements))
        default: return value
        }
    }

    private static func stripDirectives(_ members: [String: JSONValue]) -> [String: JSONValue] {
        members.filter { !$0.key.hasPrefix("$") }
    }
}
