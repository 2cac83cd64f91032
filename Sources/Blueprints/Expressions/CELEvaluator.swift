import CubicleModel

/// Evaluates a checked tree. `&&`, `||` and `?:` evaluate only what decides the result; every
/// string produced is held to `CELLimits.maximumStringBytes`, every sum to 64 bits.
struct CELEvaluator {
    let activation: CELActivation

    func evaluate(_ node: CELNode) throws(CELError) -> CELValue {
        switch node {
        case .constant(let value):
            return value
        case .variable(let variable):
            guard let value = activation.variables[variable] else {
                throw CELError(column: 1, message: "\(variable.rawValue) is not available here")
            }
            return value
        case .not(let operand):
            return .bool(!(try bool(operand)))
        case .and(let lhs, let rhs):
            return .bool(try bool(lhs) ? try bool(rhs) : false)
        case .or(let lhs, let rhs):
            return .bool(try bool(lhs) ? true : try bool(rhs))
        case .equal(let lhs, let rhs, let negated):
            let equal = try evaluate(lhs) == evaluate(rhs)
            return .bool(negated ? !equal : equal)
        case .concat(let lhs, let rhs, let column):
            let left = try string(lhs)
            let right = try string(rhs)
            return .string(try bounded(left + right, column: column))
        case .add(let lhs, let rhs, let column):
            let (sum, overflow) = try int(lhs).addingReportingOverflow(try int(rhs))
            if overflow { throw CELError(column: column, message: "integer overflow in '+'") }
            return .int(sum)
        case .contains(let lhs, let rhs):
            let needle = try string(lhs)
            guard case .stringList(let haystack) = try evaluate(rhs) else { throw typeError("list(string)") }
            return .bool(haystack.contains(needle))
        case .conditional(let condition, let then, let otherwise):
            return try evaluate(try bool(condition) ? then : otherwise)
        case .env(let argument, let column):
            let name = try string(argument)
            guard let value = activation.environment(name) else {
                throw CELError(column: column, message: "environment variable \"\(name)\" is not set")
            }
            return .string(try bounded(value, column: column))
        case .normalizeDNS(let argument):
            return .string(DNSLabel.normalize(try string(argument)))
        case .toString(let argument, let column):
            switch try evaluate(argument) {
            case .string(let value): return .string(value)
            case .int(let value): return .string(String(value))
            case .bool(let value): return .string(String(value))
            case .stringList: throw CELError(column: column, message: "string() cannot convert a list")
            }
        case .toInt(let argument, let column):
            switch try evaluate(argument) {
            case .int(let value): return .int(value)
            case .string(let text):
                guard let value = Int64(text) else {
                    throw CELError(column: column, message: "int() cannot convert \"\(text.prefix(64))\" to an integer")
                }
                return .int(value)
            default:
                throw CELError(column: column, message: "int() converts int or string")
            }
        }
    }

    private func bounded(_ value: String, column: Int) throws(CELError) -> String {
        guard value.utf8.count <= CELLimits.maximumStringBytes else {
            throw CELError(column: column, message: "string result is longer than \(CELLimits.maximumStringBytes) bytes")
        }
        return value
    }

    private func typeError(_ expected: String) -> CELError {
        CELError(column: 1, message: "expected a \(expected) value")
    }

    private func bool(_ node: CELNode) throws(CELError) -> Bool {
        guard case .bool(let value) = try evaluate(node) else { throw typeError("bool") }
        return value
    }

    private func string(_ node: CELNode) throws(CELError) -> String {
        guard case .string(let value) = try evaluate(node) else { throw typeError("string") }
        return value
    }

    private func int(_ node: CELNode) throws(CELError) -> Int64 {
        guard case .int(let value) = try evaluate(node) else { throw typeError("int") }
        return value
    }
}
