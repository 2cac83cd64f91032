import CubicleModel

/// One step of a managed-field path, as in the `FieldsV1` format: a map field (`f:name`), a list
/// element by key (`k:{"name":"c"}`), or a set element by value (`v:"x"`).
enum PathElement: Hashable, Sendable {
    case field(String)
    case key(JSONValue)
    case value(JSONValue)

    /// The `FieldsV1` member name.
    var fieldsV1Name: String {
        switch self {
        case .field(let name): "f:" + name
        case .key(let key): "k:" + String(decoding: key.serialized(), as: UTF8.self)
        case .value(let value): "v:" + String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    /// Parses a `FieldsV1` member name; nil for anything else (`.` and `i:` indexes included).
    init?(fieldsV1Name name: String) {
        if name.hasPrefix("f:") {
            self = .field(String(name.dropFirst(2)))
        } else if name.hasPrefix("k:"), let key = try? JSONValue.parse(Array(name.utf8.dropFirst(2))) {
            self = .key(key)
        } else if name.hasPrefix("v:"), let value = try? JSONValue.parse(Array(name.utf8.dropFirst(2))) {
            self = .value(value)
        } else {
            return nil
        }
    }
}

/// A path of `PathElement`s from the object root.
typealias FieldPath = [PathElement]

enum FieldPaths {
    /// The value at `path` in `object`, or nil when absent.
    static func value(at path: FieldPath, in object: JSONValue) -> JSONValue? {
        var current = object
        for element in path {
            switch element {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .key(let key):
                guard let elements = current.arrayValue, let keyFields = key.objectValue.map({ Array($0.keys) }),
                    let match = elements.first(where: { ListMergeKeys.key(of: $0, fields: keyFields) == key })
                else { return nil }
                current = match
            case .value(let value):
                guard let elements = current.arrayValue, elements.contains(value) else { return nil }
                current = value
            }
        }
        return current
    }

    /// Removes the field, list element or set element at `path` from `object`.
    static func remove(_ path: FieldPath, from object: inout JSONValue) {
        guard let first = path.first else { return }
        let rest = Array(path.dropFirst())
        switch first {
        case .field(let name):
            guard var members = object.objectValue, var child = members[name] else { return }
            if rest.isEmpty {
                members[name] = nil
            } else {
                remove(rest, from: &child)
                members[name] = child
            }
            object = .object(members)
        case .key(let key):
            guard var elements = object.arrayValue, let keyFields = key.objectValue.map({ Array($0.keys) }),
                let index = elements.firstIndex(where: { ListMergeKeys.key(of: $0, fields: keyFields) == key })
            else { return }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                remove(rest, from: &elements[index])
            }
            object = .array(elements)
        case .value(let value):
            guard let elements = object.arrayValue else { return }
            object = .array(elements.filter { $0 != value })
        }
    }

    /// The path as conflict messages print it: `.spec.containers[name="c"].image`.
    static func describe(_ path: FieldPath) -> String {
        path.map { element -> String in
            switch element {
            case .field(let name):
                return "." + name
            case .key(let key):
                let parts = (key.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(render($0.value))" }
                return "[" + parts.joined(separator: ",") + "]"
            case .value(let value):
                return "[=" + render(value) + "]"
            }
        }.joined()
    }

    private static func render(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }
}
