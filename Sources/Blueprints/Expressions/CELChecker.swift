/// Resolves names and checks types: every identifier, field and function must be one the
/// language knows, every operator must get the types it works on, and both branches of `?:`
/// must agree. Everything it rejects is a load-time error at the offending column.
enum CELChecker {
    static let functions = ["env", "int", "normalizeDNS", "string"]

    static func check(_ syntax: CELSyntax) throws(CELError) -> (CELNode, CELType) {
        switch syntax {
        case .string(let value, _):
            return (.constant(.string(value)), .string)
        case .int(let value, _):
            return (.constant(.int(value)), .int)
        case .bool(let value, _):
            return (.constant(.bool(value)), .bool)
        case .identifier(let name, let column):
            return try identifier(name, column: column)
        case .member(let base, let field, let column):
            return try member(base, field, column: column)
        case .call(let name, let arguments, let column):
            return try call(name, arguments, column: column)
        case .not(let operand, let column):
            let (node, type) = try check(operand)
            try expect(type, .bool, "operand of '!'", column: column)
            return (.not(node), .bool)
        case .binary(let op, let lhs, let rhs, let column):
            return try binary(op, lhs, rhs, column: column)
        case .conditional(let condition, let then, let otherwise, let column):
            let (conditionNode, conditionType) = try check(condition)
            try expect(conditionType, .bool, "condition of '?:'", column: condition.start)
            let (thenNode, thenType) = try check(then)
            let (otherwiseNode, otherwiseType) = try check(otherwise)
            guard thenType == otherwiseType else {
                throw CELError(column: column, message: "both branches of '?:' must have the same type, got \(thenType) and \(otherwiseType)")
            }
            return (.conditional(conditionNode, thenNode, otherwiseNode), thenType)
        }
    }

    private static func expect(_ actual: CELType, _ expected: CELType, _ what: String, column: Int) throws(CELError) {
        guard actual == expected else {
            throw CELError(column: column, message: "\(what) must be \(expected), got \(actual)")
        }
    }

    private static func identifier(_ name: String, column: Int) throws(CELError) -> (CELNode, CELType) {
        switch name {
        case "workspaceName": return (.variable(.workspaceName), .string)
        case "blueprint": return (.variable(.blueprint), .string)
        case "user":
            throw CELError(column: column, message: "'user' is not a value; use one of \(userFieldList)")
        case "metadata":
            throw CELError(column: column, message: "'metadata' is not a value; use metadata.name")
        default:
            throw CELError(column: column, message: "unknown identifier '\(name)' (known: user.<field>, workspaceName, metadata.name, blueprint)")
        }
    }

    private static var userFieldList: String {
        CELVariable.userFields.keys.sorted().map { "user.\($0)" }.joined(separator: ", ")
    }

    private static func member(_ base: CELSyntax, _ field: String, column: Int) throws(CELError) -> (CELNode, CELType) {
        switch base {
        case .identifier("user", _):
            guard let variable = CELVariable.userFields[field] else {
                throw CELError(column: column, message: "unknown field '\(field)' of user (known: \(CELVariable.userFields.keys.sorted().joined(separator: ", ")))")
            }
            return (.variable(variable), variable.type)
        case .identifier("metadata", _):
            guard field == "name" else {
                throw CELError(column: column, message: "unknown field '\(field)' of metadata (known: name)")
            }
            return (.variable(.metadataName), .string)
        default:
            // Check the base first so its own problem is the one reported.
            _ = try check(base)
            throw CELError(column: column, message: "fields can only be read from user and metadata")
        }
    }

    private static func call(_ name: String, _ arguments: [CELSyntax], column: Int) throws(CELError) -> (CELNode, CELType) {
        guard functions.contains(name) else {
            throw CELError(column: column, message: "unknown function '\(name)' (known: \(functions.joined(separator: ", ")))")
        }
        guard arguments.count == 1 else {
            throw CELError(column: column, message: "\(name) takes 1 argument, got \(arguments.count)")
        }
        let (argument, type) = try check(arguments[0])
        let argumentColumn = arguments[0].start
        switch name {
        case "env":
            try expect(type, .string, "the argument of env", column: argumentColumn)
            return (.env(argument, column: column), .string)
        case "normalizeDNS":
            try expect(type, .string, "the argument of normalizeDNS", column: argumentColumn)
            return (.normalizeDNS(argument), .string)
        case "string":
            guard type != .stringList else {
                throw CELError(column: argumentColumn, message: "string() converts string, int or bool, got \(type)")
            }
            return (.toString(argument, column: column), .string)
        default:
            guard type == .int || type == .string else {
                throw CELError(column: argumentColumn, message: "int() converts int or string, got \(type)")
            }
            return (.toInt(argument, column: column), .int)
        }
    }

    private static func binary(
        _ op: CELSyntax.BinaryOperator, _ lhs: CELSyntax, _ rhs: CELSyntax, column: Int
    ) throws(CELError) -> (CELNode, CELType) {
        let (left, leftType) = try check(lhs)
        let (right, rightType) = try check(rhs)
        switch op {
        case .add:
            switch (leftType, rightType) {
            case (.string, .string): return (.concat(left, right, column: column), .string)
            case (.int, .int): return (.add(left, right, column: column), .int)
            default:
                throw CELError(column: column, message: "'+' needs two strings or two ints, got \(leftType) and \(rightType)")
            }
        case .equal, .notEqual:
            guard leftType == rightType, leftType != .stringList else {
                throw CELError(column: column, message: "'\(op.rawValue)' compares two values of the same type (string, int or bool), got \(leftType) and \(rightType)")
            }
            return (.equal(left, right, negated: op == .notEqual), .bool)
        case .and, .or:
            try expect(leftType, .bool, "left operand of '\(op.rawValue)'", column: lhs.start)
            try expect(rightType, .bool, "right operand of '\(op.rawValue)'", column: rhs.start)
            return (op == .and ? .and(left, right) : .or(left, right), .bool)
        case .contains:
            guard leftType == .string, rightType == .stringList else {
                throw CELError(column: column, message: "'in' tests a string against a list of strings, got \(leftType) in \(rightType)")
            }
            return (.contains(left, right), .bool)
        }
    }
}
