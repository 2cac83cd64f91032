import CubicleModel

/// Which part of an object a field manager can own: the main resource (everything but `status`
/// and server-owned metadata) or the `status` subresource.
enum FieldScope: Sendable {
    case main
    case status

    /// Metadata members a manager can own; the rest belongs to the server.
    static let ownedMetadata: Set<String> = ["labels", "annotations", "finalizers", "ownerReferences"]

    /// The part of `object` in this scope.
    func content(of object: JSONValue) -> JSONValue {
        guard var members = object.objectValue else { return .object([:]) }
        switch self {
        case .status:
            return .object(members["status"].map { ["status": $0] } ?? [:])
        case .main:
            members["apiVersion"] = nil
            members["kind"] = nil
            members["status"] = nil
            if let metadata = members["metadata"]?.objectValue {
                let owned = metadata.filter { Self.ownedMetadata.contains($0.key) }
                members["metadata"] = owned.isEmpty ? nil : .object(owned)
            }
            return .object(members)
        }
    }
}

/// Sets of owned field paths: extraction from objects and the `FieldsV1` wire format.
enum FieldSets {
    /// Every leaf field, keyed list element and set element of `object`'s content in `scope`.
    static func paths(of object: JSONValue, scope: FieldScope) -> Set<FieldPath> {
        var result: Set<FieldPath> = []
        collect(scope.content(of: object), prefix: [], into: &result)
        return result
    }

    private static func collect(_ value: JSONValue, prefix: FieldPath, into result: inout Set<FieldPath>) {
        guard let members = value.objectValue else { return }
        for (name, child) in members where !child.isNull {
            let path = prefix + [.field(name)]
            switch child {
            case .object(let nested) where !nested.isEmpty:
                collect(child, prefix: path, into: &result)
            case .array(let elements) where !elements.isEmpty && ListMergeKeys.isSet(name):
                for element in elements { result.insert(path + [.value(element)]) }
            case .array(let elements) where !elements.isEmpty:
                guard let keyFields = ListMergeKeys.keyFields(for: name, elements: elements) else {
                    result.insert(path)
                    continue
                }
                let keys = elements.map { ListMergeKeys.key(of: $0, fields: keyFields) }
                guard keys.allSatisfy({ $0 != nil }), Set(keys).count == keys.count else {
                    result.insert(path)
                    continue
                }
                for (element, key) in zip(elements, keys) {
                    guard let key else { continue }
                    let elementPath = path + [.key(key)]
                    result.insert(elementPath)
                    collect(element, prefix: elementPath, into: &result)
                }
            default:
                result.insert(path)
            }
        }
    }

    /// The `FieldsV1` JSON of a set of paths.
    static func fieldsV1(_ paths: Set<FieldPath>) -> JSONValue {
        var root = Tree()
        for path in paths { root.insert(path[...]) }
        return root.json
    }

    /// The paths of a `FieldsV1` document (unknown members are ignored).
    static func paths(fromFieldsV1 document: JSONValue) -> Set<FieldPath> {
        var result: Set<FieldPath> = []
        decode(document, prefix: [], into: &result)
        return result
    }

    private static func decode(_ node: JSONValue, prefix: FieldPath, into result: inout Set<FieldPath>) {
        guard let members = node.objectValue else { return }
        for (name, child) in members {
            if name == "." {
                if !prefix.isEmpty { result.insert(prefix) }
                continue
            }
            guard let element = PathElement(fieldsV1Name: name) else { continue }
            let path = prefix + [element]
            if child.objectValue?.isEmpty ?? true {
                result.insert(path)
            } else {
                decode(child, prefix: path, into: &result)
            }
        }
    }

    private struct Tree {
        var isMember = false
        var children: [PathElement: Tree] = [:]

        mutating func insert(_ path: ArraySlice<PathElement>) {
            guard let first = path.first else {
                isMember = true
                return
            }
            children[first, default: Tree()].insert(path.dropFirst())
        }

        var json: JSONValue {
            var members: [String: JSONValue] = [:]
            for (element, child) in children { members[element.fieldsV1Name] = child.json }
            if isMember && !children.isEmpty { members["."] = .object([:]) }
            return .object(members)
        }
    }
}
