import CubicleModel

/// Reads YAML nodes as typed fields, collecting every problem as a diagnostic at the node's own
/// file position and in-file path rather than stopping at the first.
struct FieldDecoder {
    private(set) var diagnostics: [BlueprintDiagnostic] = []

    mutating func report(_ node: YAMLNode, _ message: String) {
        diagnostics.append(BlueprintDiagnostic(node.location, node.path, message))
    }

    mutating func report(at location: BlueprintLocation, path: FieldPath, _ message: String) {
        diagnostics.append(BlueprintDiagnostic(location, path, message))
    }

    mutating func absorb(_ other: [BlueprintDiagnostic]) { diagnostics += other }

    /// The members of a mapping with unknown keys reported; a `null` member counts as absent.
    mutating func fields(_ node: YAMLNode, _ keys: KeySet) -> Fields? {
        guard let entries = node.entries else {
            report(node, "expected a mapping, got \(node.kindDescription)")
            return nil
        }
        var values: [String: YAMLNode] = [:]
        for entry in entries {
            let path = node.path.appending(entry.key)
            if keys.known.contains(entry.key) {
                if !entry.value.isNull { values[entry.key] = entry.value }
            } else if let note = keys.unsupported[entry.key] {
                report(at: entry.keyLocation, path: path, note)
            } else {
                report(at: entry.keyLocation, path: path, keys.unknownMessage(for: entry.key))
            }
        }
        return Fields(node: node, values: values)
    }

    /// A scalar field: a literal checked now, or an expression checked for its type now (and
    /// evaluated now when it reads nothing that varies).
    mutating func scalar<T>(_ node: YAMLNode, as type: FieldType<T>, field: FieldPath) -> Evaluable<T>? {
        guard let scalar = node.scalar else {
            report(node, "expected \(type.expected), got \(node.kindDescription)")
            return nil
        }
        guard case .expression = scalar.kind else {
            switch type.fromScalar(scalar) {
            case .success(let value): return .literal(value, field: field)
            case .failure(let problem):
                report(node, problem.message)
                return nil
            }
        }
        let expression: CELExpression
        do {
            expression = try CELExpression.compile(scalar.text)
        } catch {
            report(node, "invalid expression \(FieldType<T>.quoted(scalar.text)): column \(error.column): \(error.message)")
            return nil
        }
        guard type.acceptedTypes.contains(expression.type) else {
            report(node, "expression \(FieldType<T>.quoted(scalar.text)) produces \(expression.type), but this field needs \(type.expected)")
            return nil
        }
        if expression.isConstant {
            let value: CELValue
            do {
                value = try expression.evaluate(.empty)
            } catch {
                report(node, "expression \(FieldType<T>.quoted(scalar.text)) fails: column \(error.column): \(error.message)")
                return nil
            }
            switch type.fromValue(value) {
            case .success(let converted): return .literal(converted, field: field)
            case .failure(let problem):
                report(node, "expression \(FieldType<T>.quoted(scalar.text)) produces \(value): \(problem.message)")
                return nil
            }
        }
        return Evaluable(form: .expression(expression, convert: type.fromValue), field: field)
    }

    /// A scalar that shapes the blueprint's structure and so must be written literally.
    mutating func literal<T>(_ node: YAMLNode, as type: FieldType<T>, field: FieldPath) -> T? {
        if case .expression = node.scalar?.kind {
            report(node, "must be written literally: expressions (!cel) are not allowed here")
            return nil
        }
        return scalar(node, as: type, field: field)?.literal
    }

    /// A list of scalars.
    mutating func list<T>(_ node: YAMLNode, of type: FieldType<T>, field: FieldPath, nonEmpty: Bool = false) -> [Evaluable<T>]? {
        guard let items = node.items else {
            report(node, "expected a list of \(type.expected), got \(node.kindDescription)")
            return nil
        }
        if nonEmpty && items.isEmpty {
            report(node, "must not be empty")
            return nil
        }
        var values: [Evaluable<T>] = []
        var failed = false
        for (index, item) in items.enumerated() {
            if let value = scalar(item, as: type, field: field.appending(index: index)) { values.append(value) } else { failed = true }
        }
        return failed ? nil : values
    }

    /// A mapping of literal keys (held to `keyRule`) to scalar values, in written order.
    mutating func map<T>(
        _ node: YAMLNode, keyRule: ValueRule<String>, of type: FieldType<T>, field: FieldPath
    ) -> [(key: String, value: Evaluable<T>)]? {
        guard let entries = node.entries else {
            report(node, "expected a mapping, got \(node.kindDescription)")
            return nil
        }
        var values: [(key: String, value: Evaluable<T>)] = []
        for entry in entries {
            if let phrase = keyRule(entry.key) {
                report(at: entry.keyLocation, path: node.path.appending(entry.key), "\(phrase), got \(FieldType<T>.quoted(entry.key))")
                continue
            }
            if entry.value.isNull { continue }
            if let value = scalar(entry.value, as: type, field: field.appending(entry.key)) {
                values.append((entry.key, value))
            }
        }
        return values
    }

    /// A pass-through Kubernetes shape; scalars keep their YAML types, `!cel` scalars become
    /// expressions of whatever type they produce.
    mutating func json(_ node: YAMLNode, field: FieldPath) -> JSONTemplate {
        switch node.value {
        case .mapping(let entries):
            var members: [String: JSONTemplate] = [:]
            for entry in entries {
                members[entry.key] = json(entry.value, field: field.appending(entry.key))
            }
            return JSONTemplate.collapse(.object(members))
        case .sequence(let items):
            return JSONTemplate.collapse(.array(items.enumerated().map { json($1, field: field.appending(index: $0)) }))
        case .scalar(let scalar):
            switch scalar.kind {
            case .string: return .value(.string(scalar.text))
            case .int(let value): return .value(.int(value))
            case .float(let value) where value.isFinite: return .value(.double(value))
            case .float:
                report(node, "infinite and NaN numbers cannot be passed to Kubernetes")
                return .value(.null)
            case .bool(let value): return .value(.bool(value))
            case .null: return .value(.null)
            case .expression:
                let passThrough = FieldType<JSONValue>(
                    expected: "a value", acceptedTypes: [.string, .int, .bool, .stringList],
                    fromScalar: { _ in .failure(FieldProblem("expected an expression")) },
                    fromValue: { .success($0.json) }
                )
                guard let evaluable = self.scalar(node, as: passThrough, field: field) else { return .value(.null) }
                if let literal = evaluable.literal { return .value(literal) }
                return .expression(evaluable)
            }
        }
    }
}

/// The members of one mapping node, by key.
struct Fields {
    let node: YAMLNode
    let values: [String: YAMLNode]

    subscript(key: String) -> YAMLNode? { values[key] }

    /// The path a missing member would have had.
    func path(of key: String) -> FieldPath { node.path.appending(key) }
}
