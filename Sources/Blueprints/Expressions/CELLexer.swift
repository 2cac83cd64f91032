/// The bounds every expression lives within, so a blueprint cannot make provisioning slow or big.
enum CELLimits {
    /// The longest expression source accepted, in characters.
    static let maximumSourceLength = 2_048
    /// The deepest syntax tree accepted (a chain `a + b + c` is as deep as it is long).
    static let maximumDepth = 48
    /// The largest string any step of an evaluation may produce, in UTF-8 bytes.
    static let maximumStringBytes = 64 * 1_024
}

/// A problem at a column (1-based, in characters) of an expression's source.
struct CELError: Error, Sendable, Hashable {
    let column: Int
    let message: String
}

/// One lexical token with the column it starts at.
struct CELToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case identifier(String)
        case int(Int64)
        case string(String)
        case plus, equal, notEqual, and, or, not, question, colon
        case leftParen, rightParen, dot, comma
        case end
    }

    let kind: Kind
    let column: Int
}

/// Turns expression source into tokens: string literals in single or double quotes with
/// escapes, decimal integers, identifiers, and the operators the language supports. Anything
/// else is an error at its column.
struct CELLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ source: String) { scalars = Array(source.unicodeScalars) }

    static func tokenize(_ source: String) throws(CELError) -> [CELToken] {
        var lexer = CELLexer(source)
        var tokens: [CELToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func next() throws(CELError) -> CELToken {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { index += 1 }
        let column = index + 1
        guard let scalar = peek() else { return CELToken(kind: .end, column: column) }
        func token(_ kind: CELToken.Kind, length: Int) -> CELToken {
            index += length
            return CELToken(kind: kind, column: column)
        }
        switch scalar {
        case "+": return token(.plus, length: 1)
        case "?": return token(.question, length: 1)
        case ":": return token(.colon, length: 1)
        case "(": return token(.leftParen, length: 1)
        case ")": return token(.rightParen, length: 1)
        case ".": return token(.dot, length: 1)
        case ",": return token(.comma, length: 1)
        case "=" where peek(1) == "=": return token(.equal, length: 2)
        case "!" where peek(1) == "=": return token(.notEqual, length: 2)
        case "!": return token(.not, length: 1)
        case "&" where peek(1) == "&": return token(.and, length: 2)
        case "|" where peek(1) == "|": return token(.or, length: 2)
        case "\"", "'": return try string(quote: scalar, column: column)
        case "0"..."9": return try integer(column: column)
        case "a"..."z", "A"..."Z", "_": return identifier(column: column)
        case "-", "*", "/", "%", "<", ">", "=", "&", "|", "[", "]", "{", "}":
            var op = String(scalar)
            if let second = peek(1), "=&|<>".unicodeScalars.contains(second) { op.unicodeScalars.append(second) }
            throw CELError(column: column, message: "operator '\(op)' is not supported")
        default:
            throw CELError(column: column, message: "unexpected character '\(scalar.escaped(asASCII: true))'")
        }
    }

    private mutating func identifier(column: Int) -> CELToken {
        var name = ""
        while let scalar = peek(), scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
            name.unicodeScalars.append(scalar)
            index += 1
        }
        return CELToken(kind: .identifier(name), column: column)
    }

    private mutating func integer(column: Int) throws(CELError) -> CELToken {
        var value: Int64 = 0
        while let scalar = peek(), ("0"..."9").contains(scalar) {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(Int64(scalar.value - 48))
            if o1 || o2 { throw CELError(column: column, message: "integer literal is larger than \(Int64.max)") }
            value = sum
            index += 1
        }
        if let scalar = peek(), scalar.isASCII, scalar.properties.isAlphabetic || scalar == "." || scalar == "_" {
            throw CELError(column: index + 1, message: "malformed number (only decimal integers are supported)")
        }
        return CELToken(kind: .int(value), column: column)
    }

    private mutating func string(quote: Unicode.Scalar, column: Int) throws(CELError) -> CELToken {
        index += 1
        var value = ""
        while true {
            guard let scalar = peek() else {
                throw CELError(column: column, message: "unterminated string literal")
            }
            index += 1
            if scalar == quote { return CELToken(kind: .string(value), column: column) }
            if scalar == "\n" { throw CELError(column: column, message: "unterminated string literal") }
            guard scalar == "\\" else {
                value.unicodeScalars.append(scalar)
                continue
            }
            let escapeColumn = index
            guard let escape = peek() else { throw CELError(column: column, message: "unterminated string literal") }
            index += 1
            switch escape {
            case "n": value += "\n"
            case "t": value += "\t"
            case "r": value += "\r"
            case "0": value += "\0"
            case "\\", "'", "\"", "`", "?": value.unicodeScalars.append(escape)
            case "u", "U":
                let count = escape == "u" ? 4 : 8
                var code: UInt32 = 0
                for _ in 0..<count {
                    guard let hex = peek(), hex.isASCII, hex != "+", hex != "-", let digit = Int(String(hex), radix: 16) else {
                        throw CELError(column: escapeColumn, message: "\\\(escape) needs \(count) hex digits")
                    }
                    code = code * 16 + UInt32(digit)
                    index += 1
                }
                guard let decoded = Unicode.Scalar(code) else {
                    throw CELError(column: escapeColumn, message: "\\\(escape) escape is not a valid code point")
                }
                value.unicodeScalars.append(decoded)
            default:
                throw CELError(column: escapeColumn, message: "unknown escape \\\(escape)")
            }
        }
    }
}
