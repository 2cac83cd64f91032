/// A YAML node as Blueprints keeps it: Sendable, with scalars already resolved to their type
/// (YAML 1.2 core schema, so `yes` stays a string) and every node carrying the file position and
/// the in-file field path where it was written, so errors found after merging still point at the
/// line the operator wrote.
struct YAMLNode: Sendable {
    enum Value: Sendable {
        case scalar(YAMLScalar)
        case mapping([YAMLEntry])
        case sequence([YAMLNode])
    }

    var value: Value
    let location: BlueprintLocation
    let path: FieldPath

    /// The entries of a mapping, or nil.
    var entries: [YAMLEntry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    /// The items of a sequence, or nil.
    var items: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The scalar, or nil.
    var scalar: YAMLScalar? {
        if case .scalar(let scalar) = value { return scalar }
        return nil
    }

    /// The value of `key` in a mapping.
    subscript(key: String) -> YAMLNode? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// True for a null scalar (`~`, `null`, or nothing).
    var isNull: Bool {
        if case .null = scalar?.kind { return true }
        return false
    }

    /// The kind of node in the words of an error message: `a mapping`, `an integer`, …
    var kindDescription: String {
        switch value {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return scalar.kind.description
        }
    }
}

/// One `key: value` pair of a mapping, with where the key was written.
struct YAMLEntry: Sendable {
    let key: String
    let keyLocation: BlueprintLocation
    var value: YAMLNode
}

/// A scalar's text and resolved type.
struct YAMLScalar: Sendable {
    enum Kind: Sendable, CustomStringConvertible {
        case string
        case int(Int64)
        case float(Double)
        case bool(Bool)
        case null
        /// Tagged `!cel`: the text is an expression evaluated at provision time.
        case expression

        var description: String {
            switch self {
            case .string: return "a string"
            case .int: return "an integer"
            case .float: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            case .expression: return "an expression"
            }
        }
    }

    let text: String
    let kind: Kind
    /// True when the scalar was written plain (unquoted), which decides how its text reads back.
    let plain: Bool
}
