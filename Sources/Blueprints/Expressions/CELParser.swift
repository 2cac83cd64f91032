/// Recursive-descent parser over `CELLexer` tokens. Precedence, loosest first:
/// `?:` (right-associative), `||`, `&&`, `==` `!=` `in`, `+`, unary `!`, member access and calls,
/// then literals, identifiers and parentheses.
struct CELParser {
    private let tokens: [CELToken]
    private var position = 0
    private var nesting = 0

    private init(tokens: [CELToken]) { self.tokens = tokens }

    /// Parses a whole expression, bounded in length and depth.
    static func parse(_ source: String) throws(CELError) -> CELSyntax {
        if source.unicodeScalars.count > CELLimits.maximumSourceLength {
            throw CELError(column: CELLimits.maximumSourceLength + 1, message: "expression is longer than \(CELLimits.maximumSourceLength) characters")
        }
        var parser = CELParser(tokens: try CELLexer.tokenize(source))
        if parser.current.kind == .end { throw CELError(column: 1, message: "expression is empty") }
        let syntax = try parser.conditional()
        guard parser.current.kind == .end else {
            throw CELError(column: parser.current.column, message: "unexpected \(parser.current.kind.display) after the expression")
        }
        if syntax.depth > CELLimits.maximumDepth {
            throw CELError(column: 1, message: "expression is nested deeper than \(CELLimits.maximumDepth) levels")
        }
        return syntax
    }

    private var current: CELToken { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() -> CELToken {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func expect(_ kind: CELToken.Kind, _ what: String) throws(CELError) {
        guard current.kind == kind else {
            throw CELError(column: current.column, message: "expected \(what), found \(current.kind.display)")
        }
        _ = advance()
    }

    /// Guards the parser's own recursion (parentheses, `!`, `?:`), which the tree-depth check
    /// after parsing comes too late for.
    private mutating func nested<T>(_ body: (inout CELParser) throws(CELError) -> T) throws(CELError) -> T {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > CELLimits.maximumDepth {
            throw CELError(column: current.column, message: "expression is nested deeper than \(CELLimits.maximumDepth) levels")
        }
        return try body(&self)
    }

    private mutating func conditional() throws(CELError) -> CELSyntax {
        try nested { (parser: inout CELParser) throws(CELError) -> CELSyntax in
            let condition = try parser.or()
            guard parser.current.kind == .question else { return condition }
            let column = parser.advance().column
            let then = try parser.conditional()
            try parser.expect(.colon, "':' of the conditional")
            let otherwise = try parser.conditional()
            return .conditional(condition, then, otherwise, column: column)
        }
    }

    private mutating func or() throws(CELError) -> CELSyntax {
        var lhs = try and()
        while current.kind == .or {
            let column = advance().column
            lhs = .binary(.or, lhs, try and(), column: column)
        }
        return lhs
    }

    private mutating func and() throws(CELError) -> CELSyntax {
        var lhs = try relation()
        while current.kind == .and {
            let column = advance().column
            lhs = .binary(.and, lhs, try relation(), column: column)
        }
        return lhs
    }

    private mutating func relation() throws(CELError) -> CELSyntax {
        var lhs = try additive()
        while true {
            let op: CELSyntax.BinaryOperator
            switch current.kind {
            case .equal: op = .equal
            case .notEqual: op = .notEqual
            case .identifier("in"): op = .contains
            default: return lhs
            }
            let column = advance().column
            lhs = .binary(op, lhs, try additive(), column: column)
        }
    }

    private mutating func additive() throws(CELError) -> CELSyntax {
        var lhs = try unary()
        while current.kind == .plus {
            let column = advance().column
            lhs = .binary(.add, lhs, try unary(), column: column)
        }
        return lhs
    }

    private mutating func unary() throws(CELError) -> CELSyntax {
        guard current.kind == .not else { return try postfix() }
        let column = advance().column
        return try nested { (parser: inout CELParser) throws(CELError) -> CELSyntax in
            .not(try parser.unary(), column: column)
        }
    }

    private mutating func postfix() throws(CELError) -> CELSyntax {
        var base = try primary()
        while true {
            switch current.kind {
            case .dot:
                _ = advance()
                let token = advance()
                guard case .identifier(let name) = token.kind else {
                    throw CELError(column: token.column, message: "expected a field name after '.', found \(token.kind.display)")
                }
                base = .member(base, name, column: token.column)
            case .leftParen:
                let column = current.column
                guard case .identifier(let name, _) = base else {
                    throw CELError(column: column, message: "only functions can be called (env, normalizeDNS, string, int)")
                }
                _ = advance()
                var arguments: [CELSyntax] = []
                while current.kind != .rightParen {
                    arguments.append(try conditional())
                    guard current.kind == .comma else { break }
                    _ = advance()
                }
                try expect(.rightParen, "')' closing the call to \(name)")
                base = .call(name, arguments, column: base.column)
            default:
                return base
            }
        }
    }

    private mutating func primary() throws(CELError) -> CELSyntax {
        let token = advance()
        switch token.kind {
        case .string(let value): return .string(value, column: token.column)
        case .int(let value): return .int(value, column: token.column)
        case .identifier("true"): return .bool(true, column: token.column)
        case .identifier("false"): return .bool(false, column: token.column)
        case .identifier("in"): throw CELError(column: token.column, message: "unexpected 'in'")
        case .identifier(let name): return .identifier(name, column: token.column)
        case .leftParen:
            let inner = try conditional()
            try expect(.rightParen, "')'")
            return inner
        default:
            throw CELError(column: token.column, message: "expected a value, found \(token.kind.display)")
        }
    }
}

extension CELToken.Kind {
    /// The token as an error message shows it.
    var display: String {
        switch self {
        case .identifier(let name): return "'\(name)'"
        case .int(let value): return "'\(value)'"
        case .string: return "a string"
        case .plus: return "'+'"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .and: return "'&&'"
        case .or: return "'||'"
        case .not: return "'!'"
        case .question: return "'?'"
        case .colon: return "':'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .dot: return "'.'"
        case .comma: return "','"
        case .end: return "the end of the expression"
        }
    }
}
