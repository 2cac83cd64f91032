import CubicleModel

/// A pass-through Kubernetes shape (`securityContext`, `claimSpec`, …) whose scalars may be
/// expressions; literal subtrees stay plain `JSONValue`s.
indirect enum JSONTemplate: Sendable {
    case value(JSONValue)
    case expression(Evaluable<JSONValue>)
    case array([JSONTemplate])
    case object([String: JSONTemplate])

    /// The document for one provisioning.
    func value(in activation: CELActivation, blueprint: String) throws(BlueprintError) -> JSONValue {
        switch self {
        case .value(let value):
            return value
        case .expression(let evaluable):
            return try evaluable.value(in: activation, blueprint: blueprint)
        case .array(let items):
            var values: [JSONValue] = []
            for item in items { values.append(try item.value(in: activation, blueprint: blueprint)) }
            return .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            for (key, member) in members { values[key] = try member.value(in: activation, blueprint: blueprint) }
            return .object(values)
        }
    }

    /// The literal document, or nil when some part is an expression.
    var literal: JSONValue? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Collapses a container whose members are all literal into one literal value.
    static func collapse(_ template: JSONTemplate) -> JSONTemplate {
        switch template {
        case .array(let items):
            let literals = items.compactMap(\.literal)
            return literals.count == items.count ? .value(.array(literals)) : template
        case .object(let members):
            let literals = members.compactMapValues(\.literal)
            return literals.count == members.count ? .value(.object(literals)) : template
        default:
            return template
        }
    }
}

extension CELValue {
    /// The value as JSON, for expressions inside pass-through shapes.
    var json: JSONValue {
        switch self {
        case .string(let value): return .string(value)
        case .int(let value): return .int(value)
        case .bool(let value): return .bool(value)
        case .stringList(let values): return .array(values.map(JSONValue.string))
        }
    }
}
