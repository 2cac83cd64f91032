/// A compiled `!cel` expression: parsed, names resolved and types checked at load time, so what is
/// left for provision time is evaluation that can only fail on values (int overflow, a string
/// that is not a number, an unset environment variable, a size limit).
struct CELExpression: Sendable {
    /// The source as written in the blueprint.
    let source: String
    /// The resolved tree.
    let root: CELNode
    /// The type every evaluation produces.
    let type: CELType
    /// True when the expression reads no variable and no environment, so it can be evaluated at load time.
    let isConstant: Bool

    /// Parses and checks `source`.
    static func compile(_ source: String) throws(CELError) -> CELExpression {
        let syntax = try CELParser.parse(source)
        let (root, type) = try CELChecker.check(syntax)
        return CELExpression(source: source, root: root, type: type, isConstant: root.isConstant)
    }

    /// Evaluates against the values of one provisioning.
    func evaluate(_ activation: CELActivation) throws(CELError) -> CELValue {
        try CELEvaluator(activation: activation).evaluate(root)
    }
}

/// The expression tree after checking: names are variables, operators are typed.
indirect enum CELNode: Sendable {
    case constant(CELValue)
    case variable(CELVariable)
    case not(CELNode)
    case and(CELNode, CELNode)
    case or(CELNode, CELNode)
    case equal(CELNode, CELNode, negated: Bool)
    case concat(CELNode, CELNode, column: Int)
    case add(CELNode, CELNode, column: Int)
    case contains(CELNode, CELNode)
    case conditional(CELNode, CELNode, CELNode)
    case env(CELNode, column: Int)
    case normalizeDNS(CELNode)
    case toString(CELNode, column: Int)
    case toInt(CELNode, column: Int)

    var isConstant: Bool {
        switch self {
        case .constant: return true
        case .variable, .env: return false
        case .not(let node), .normalizeDNS(let node), .toString(let node, _), .toInt(let node, _): return node.isConstant
        case .and(let lhs, let rhs), .or(let lhs, let rhs), .equal(let lhs, let rhs, _), .concat(let lhs, let rhs, _),
             .add(let lhs, let rhs, _), .contains(let lhs, let rhs):
            return lhs.isConstant && rhs.isConstant
        case .conditional(let condition, let then, let otherwise):
            return condition.isConstant && then.isConstant && otherwise.isConstant
        }
    }
}

/// What one evaluation may read: the variables' values and the server's environment.
struct CELActivation: Sendable {
    let variables: [CELVariable: CELValue]
    let environment: @Sendable (String) -> String?

    /// An activation with nothing in it, for constant expressions.
    static let empty = CELActivation(variables: [:], environment: { _ in nil })
}
