/// The syntax tree of an expression as written, before names are resolved and types checked.
indirect enum CELSyntax: Sendable, Hashable {
    enum BinaryOperator: String, Sendable, Hashable {
        case add = "+"
        case equal = "=="
        case notEqual = "!="
        case and = "&&"
        case or = "||"
        case contains = "in"
    }

    case string(String, column: Int)
    case int(Int64, column: Int)
    case bool(Bool, column: Int)
    case identifier(String, column: Int)
    case member(CELSyntax, String, column: Int)
    case call(String, [CELSyntax], column: Int)
    case not(CELSyntax, column: Int)
    case binary(BinaryOperator, CELSyntax, CELSyntax, column: Int)
    case conditional(CELSyntax, CELSyntax, CELSyntax, column: Int)

    /// Where the node starts in the source.
    var column: Int {
        switch self {
        case .string(_, let column), .int(_, let column), .bool(_, let column), .identifier(_, let column),
             .member(_, _, let column), .call(_, _, let column), .not(_, let column),
             .binary(_, _, _, let column), .conditional(_, _, _, let column):
            return column
        }
    }

    /// Where the whole expression this node heads starts (a member access starts at its base,
    /// a binary operation at its left operand), for errors about an operand as a whole.
    var start: Int {
        switch self {
        case .member(let base, _, _): return base.start
        case .binary(_, let lhs, _, _): return lhs.start
        case .conditional(let condition, _, _, _): return condition.start
        default: return column
        }
    }

    /// The height of the tree, which bounds the recursion of checking and evaluation.
    var depth: Int {
        switch self {
        case .string, .int, .bool, .identifier: return 1
        case .member(let base, _, _), .not(let base, _): return 1 + base.depth
        case .call(_, let arguments, _): return 1 + (arguments.map(\.depth).max() ?? 0)
        case .binary(_, let lhs, let rhs, _): return 1 + max(lhs.depth, rhs.depth)
        case .conditional(let condition, let then, let otherwise, _):
            return 1 + max(condition.depth, then.depth, otherwise.depth)
        }
    }
}
