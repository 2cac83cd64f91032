/// A field's value as loaded: either known at load time, or an expression evaluated at provision
/// time and then held to the same rules a literal is held to at load time.
struct Evaluable<Value: Sendable>: Sendable {
    enum Form: Sendable {
        case literal(Value)
        case expression(CELExpression, convert: @Sendable (CELValue) -> Result<Value, FieldProblem>)
    }

    let form: Form
    /// The field inside the blueprint (`storages.home.path`), for provision-time errors.
    let field: FieldPath

    static func literal(_ value: Value, field: FieldPath) -> Evaluable {
        Evaluable(form: .literal(value), field: field)
    }

    /// The literal value, or nil for an expression.
    var literal: Value? {
        if case .literal(let value) = form { return value }
        return nil
    }

    /// The value for one provisioning.
    func value(in activation: CELActivation, blueprint: String) throws(BlueprintError) -> Value {
        switch form {
        case .literal(let value):
            return value
        case .expression(let expression, let convert):
            let result: CELValue
            do {
                result = try expression.evaluate(activation)
            } catch {
                throw BlueprintError.evaluation(
                    blueprint, field: field.description,
                    "expression \"\(expression.source)\" failed at column \(error.column): \(error.message)"
                )
            }
            switch convert(result) {
            case .success(let value):
                return value
            case .failure(let problem):
                throw BlueprintError.evaluation(
                    blueprint, field: field.description,
                    "expression \"\(expression.source)\" produced \(String(describing: result).prefix(200)): \(problem.message)"
                )
            }
        }
    }

    /// Transforms the value, now for a literal, after evaluation for an expression.
    func map<Other: Sendable>(_ transform: @escaping @Sendable (Value) -> Other) -> Evaluable<Other> {
        switch form {
        case .literal(let value):
            return Evaluable<Other>(form: .literal(transform(value)), field: field)
        case .expression(let expression, let convert):
            return Evaluable<Other>(form: .expression(expression, convert: { convert($0).map(transform) }), field: field)
        }
    }
}

/// Why a value does not fit a field, as a message that stands after `path: `.
struct FieldProblem: Error, Sendable, Hashable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// What a scalar field accepts: which expression types may feed it, how a literal scalar and an
/// evaluated value become the field's value, and what rule the value must then satisfy.
struct FieldType<Value: Sendable>: Sendable {
    /// The field's expectation in error messages: `a string`, `an absolute path`.
    let expected: String
    /// The expression result types that can become this field's value.
    let acceptedTypes: Set<CELType>
    /// Converts a literal scalar.
    let fromScalar: @Sendable (YAMLScalar) -> Result<Value, FieldProblem>
    /// Converts an evaluated expression.
    let fromValue: @Sendable (CELValue) -> Result<Value, FieldProblem>
}
