/// A parsed Kubernetes label selector (`app=web,tier!=db,env in (a,b),!legacy`): a conjunction of
/// requirements, empty matching everything.
struct LabelSelector: Sendable, Hashable {
    /// One requirement on one label key.
    enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int64)
        case lessThan(String, Int64)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map { values.contains($0) } ?? false
            case .notIn(let key, let values): return !(labels[key].map { values.contains($0) } ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            case .greaterThan(let key, let bound):
                guard let value = labels[key].flatMap({ Int64($0) }) else { return false }
                return value > bound
            case .lessThan(let key, let bound):
                guard let value = labels[key].flatMap({ Int64($0) }) else { return false }
                return value < bound
            }
        }
    }

    let requirements: [Requirement]

    /// The selector matching every object.
    static let everything = LabelSelector(requirements: [])

    /// True when every requirement holds for `labels`.
    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// True when the selector has no requirements.
    var isEmpty: Bool { requirements.isEmpty }
}

extension LabelSelector {
    /// Parses the query-string form; throws a 400 `LocalClusterError` describing the first problem.
    static func parse(_ text: String) throws(LocalClusterError) -> LabelSelector {
        var parser = LabelSelectorParser(text)
        do throws(LabelSelectorParser.Problem) {
            return LabelSelector(requirements: try parser.parse())
        } catch let problem {
            throw .badRequest("unable to parse requirement: \(problem.message)")
        }
    }
}

/// A recursive-descent parser over the tokens of a label selector.
private struct LabelSelectorParser {
    struct Problem: Error {
        let message: String
    }

    enum Token: Equatable {
        case word(String)
        case equals, doubleEquals, notEquals, bang, open, close, comma, greater, less
        case end
    }

    private var tokens: [Token] = []
    private var position = 0
    private let source: String

    init(_ text: String) { source = text }

    mutating func parse() throws(Problem) -> [LabelSelector.Requirement] {
        tokens = try Self.tokenize(source)
        var requirements: [LabelSelector.Requirement] = []
        if peek == .end { return [] }
        while true {
            requirements.append(try requirement())
            switch next() {
            case .end: return requirements
            case .comma: continue
            default: throw Problem(message: "found unexpected token, expected ','")
            }
        }
    }

    private var peek: Token { position < tokens.count ? tokens[position] : .end }

    private mutating func next() -> Token {
        let token = peek
        position += 1
        return token
    }

    private mutating func requirement() throws(Problem) -> LabelSelector.Requirement {
        if peek == .bang {
            _ = next()
            return .doesNotExist(try key())
        }
        let key = try key()
        switch peek {
        case .comma, .end:
            return .exists(key)
        case .equals, .doubleEquals:
            _ = next()
            return .equals(key, try value())
        case .notEquals:
            _ = next()
            return .notEquals(key, try value())
        case .greater, .less:
            let isGreater = next() == .greater
            let text = try value()
            guard let bound = Int64(text) else { throw Problem(message: "for 'Gt', 'Lt' operators, the value must be an integer") }
            return isGreater ? .greaterThan(key, bound) : .lessThan(key, bound)
        case .word("in"), .word("notin"):
            let isIn = next() == .word("in")
            let values = try valueSet()
            return isIn ? .isIn(key, values) : .notIn(key, values)
        default:
            throw Problem(message: "found unexpected token after key \"\(key)\", expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    private mutating func key() throws(Problem) -> String {
        guard case .word(let key) = next() else { throw Problem(message: "found unexpected token, expected a key") }
        if let problem = LabelSyntax.keyProblem(key) { throw Problem(message: "key: Invalid value: \"\(key)\": \(problem)") }
        return key
    }

    private mutating func value() throws(Problem) -> String {
        switch peek {
        case .word(let text):
            _ = next()
            if let problem = LabelSyntax.valueProblem(text) {
                throw Problem(message: "values[0]: Invalid value: \"\(text)\": \(problem)")
            }
            return text
        case .comma, .end:
            return ""
        default:
            throw Problem(message: "found unexpected token, expected a value")
        }
    }

    private mutating func valueSet() throws(Problem) -> Set<String> {
        guard next() == .open else { throw Problem(message: "found unexpected token, expected: '('") }
        var values: Set<String> = []
        while true {
            switch next() {
            case .word(let text):
                if let problem = LabelSyntax.valueProblem(text) {
                    throw Problem(message: "values: Invalid value: \"\(text)\": \(problem)")
                }
                values.insert(text)
                switch next() {
                case .comma: continue
                case .close: return values
                default: throw Problem(message: "found unexpected token, expected ',' or ')'")
                }
            case .comma:
                values.insert("")
            case .close:
                if values.isEmpty { throw Problem(message: "for 'in', 'notin' operators, values set can't be empty") }
                return values
            default:
                throw Problem(message: "found unexpected token in value set")
            }
        }
    }

    private static func tokenize(_ text: String) throws(Problem) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text.unicodeScalars)
        var index = 0
        while index < chars.count {
            let char = chars[index]
            switch char {
            case " ", "\t", "\n", "\r":
                index += 1
            case ",": tokens.append(.comma); index += 1
            case "(": tokens.append(.open); index += 1
            case ")": tokens.append(.close); index += 1
            case ">": tokens.append(.greater); index += 1
            case "<": tokens.append(.less); index += 1
            case "=":
                if index + 1 < chars.count, chars[index + 1] == "=" {
                    tokens.append(.doubleEquals)
                    index += 2
                } else {
                    tokens.append(.equals)
                    index += 1
                }
            case "!":
                if index + 1 < chars.count, chars[index + 1] == "=" {
                    tokens.append(.notEquals)
                    index += 2
                } else {
                    tokens.append(.bang)
                    index += 1
                }
            default:
                var word = ""
                while index < chars.count, !" \t\n\r,()=!<>".unicodeScalars.contains(chars[index]) {
                    word.unicodeScalars.append(chars[index])
                    index += 1
                }
                if word.isEmpty { throw Problem(message: "unexpected character \"\(char)\"") }
                tokens.append(.word(word))
            }
        }
        return tokens
    }
}

/// The syntax of label keys (`[prefix/]name`) and values.
enum LabelSyntax {
    /// Nil when `key` is a valid qualified label key, else why not.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "a qualified name must have at most one '/'" }
        let name = String(parts.last ?? "")
        if parts.count == 2 {
            let prefix = String(parts[0])
            if prefix.isEmpty { return "prefix part must be non-empty" }
            if let problem = Names.subdomainProblem(prefix) { return "prefix part \(problem)" }
        }
        if name.isEmpty { return "name part must be non-empty" }
        if name.utf8.count > 63 { return "name part must be no more than 63 characters" }
        if !isQualifiedNameBody(name) {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// Nil when `value` is a valid label value (possibly empty), else why not.
    static func valueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.utf8.count > 63 { return "must be no more than 63 characters" }
        if !isQualifiedNameBody(value) {
            return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    private static func isQualifiedNameBody(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
