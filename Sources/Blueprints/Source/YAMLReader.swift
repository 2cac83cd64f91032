import Yams

/// Parses one file's text with Yams and converts its documents into `YAMLNode`s, collecting every
/// problem as a diagnostic with the file's position instead of stopping at the first.
struct YAMLReader {
    /// Hard bounds on what one file may expand to, so aliases (`*a` repeated) or deep nesting cannot
    /// exhaust memory or the stack.
    static let maximumNodes = 100_000
    static let maximumDepth = 64

    let file: String
    private(set) var diagnostics: [BlueprintDiagnostic] = []
    private var nodeCount = 0
    private var exhausted = false

    init(file: String) { self.file = file }

    /// The documents of `text` (an empty file has none).
    mutating func read(_ text: String) -> [YAMLNode] {
        if let problem = YAMLPrecheck.problem(in: text) {
            diagnostics.append(BlueprintDiagnostic(location(problem.line, problem.column), .root, problem.message))
            return []
        }
        var documents: [YAMLNode] = []
        do {
            let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            while let root = try parser.nextRoot() {
                documents.append(convert(root, path: .root, depth: 0))
            }
        } catch let error as YamlError {
            diagnostics.append(syntaxDiagnostic(error, text: text))
        } catch {
            diagnostics.append(BlueprintDiagnostic(location(1, 1), .root, "cannot parse YAML: \(error)"))
        }
        return exhausted ? [] : documents
    }

    private func location(_ line: Int, _ column: Int) -> BlueprintLocation {
        BlueprintLocation(file: file, line: max(line, 1), column: max(column, 1))
    }

    private func location(of mark: Mark?) -> BlueprintLocation {
        location(mark?.line ?? 1, mark?.column ?? 1)
    }

    private mutating func report(_ mark: Mark?, _ path: FieldPath, _ message: String) {
        diagnostics.append(BlueprintDiagnostic(location(of: mark), path, message))
    }

    private mutating func convert(_ node: Node, path: FieldPath, depth: Int) -> YAMLNode {
        let here = location(of: node.mark)
        let placeholder = YAMLNode(value: .scalar(YAMLScalar(text: "", kind: .null, plain: true)), location: here, path: path)
        if exhausted { return placeholder }
        nodeCount += 1
        if nodeCount > YAMLReader.maximumNodes {
            exhausted = true
            report(node.mark, path, "the document expands to more than \(YAMLReader.maximumNodes) nodes (too many aliases?)")
            return placeholder
        }
        if depth > YAMLReader.maximumDepth {
            report(node.mark, path, "nesting deeper than \(YAMLReader.maximumDepth) levels")
            return placeholder
        }
        switch node {
        case .scalar(let scalar):
            return YAMLNode(value: .scalar(resolve(scalar, path: path)), location: here, path: path)
        case .mapping(let mapping):
            checkCollectionTag(mapping.tag, standard: Tag.Name.map.rawValue, mark: mapping.mark, path: path)
            var entries: [YAMLEntry] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    report(keyNode.mark, path, "mapping keys must be plain strings, got \(keyNode.mapping != nil ? "a mapping" : "a list")")
                    continue
                }
                if keyScalar.tag.rawValue == "!cel" {
                    report(keyNode.mark, path.appending(keyScalar.string), "expressions (!cel) are not allowed in keys")
                }
                let childPath = path.appending(keyScalar.string)
                entries.append(YAMLEntry(
                    key: keyScalar.string, keyLocation: location(of: keyNode.mark),
                    value: convert(valueNode, path: childPath, depth: depth + 1)
                ))
            }
            return YAMLNode(value: .mapping(entries), location: here, path: path)
        case .sequence(let sequence):
            checkCollectionTag(sequence.tag, standard: Tag.Name.seq.rawValue, mark: sequence.mark, path: path)
            var items: [YAMLNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(convert(item, path: path.appending(index: index), depth: depth + 1))
            }
            return YAMLNode(value: .sequence(items), location: here, path: path)
        case .alias(let alias):
            // Yams resolves aliases while composing; an unresolved one is reported, not trusted.
            report(alias.mark, path, "unresolved alias *\(alias.anchor.rawValue)")
            return placeholder
        }
    }

    private mutating func checkCollectionTag(_ tag: Tag, standard: String, mark: Mark?, path: FieldPath) {
        let name = tag.rawValue
        if name.isEmpty || name == standard || name == "!" { return }
        if name == "!cel" {
            report(mark, path, "!cel applies to scalars only")
        } else {
            report(mark, path, "unsupported tag \(name)")
        }
    }

    private mutating func resolve(_ scalar: Node.Scalar, path: FieldPath) -> YAMLScalar {
        let text = scalar.string
        let plain = scalar.style == .plain || scalar.style == .any
        let tag = scalar.tag.rawValue
        func typed(_ kind: YAMLScalar.Kind?, _ expected: String) -> YAMLScalar {
            if let kind { return YAMLScalar(text: text, kind: kind, plain: plain) }
            report(scalar.mark, path, "\"\(text)\" is not \(expected)")
            return YAMLScalar(text: text, kind: .string, plain: plain)
        }
        switch tag {
        case "":
            return YAMLScalar(text: text, kind: plain ? YAMLReader.implicitKind(of: text) : .string, plain: plain)
        case "!", Tag.Name.str.rawValue:
            return YAMLScalar(text: text, kind: .string, plain: plain)
        case "!cel":
            return YAMLScalar(text: text, kind: .expression, plain: plain)
        case Tag.Name.int.rawValue:
            return typed(YAMLReader.integer(text).map { .int($0) }, "an integer")
        case Tag.Name.float.rawValue:
            return typed(YAMLReader.float(text).map { .float($0) } ?? YAMLReader.integer(text).map { .float(Double($0)) }, "a number")
        case Tag.Name.bool.rawValue:
            return typed(YAMLReader.boolean(text).map { .bool($0) }, "a boolean")
        case Tag.Name.null.rawValue:
            return typed(YAMLReader.isNull(text) ? .null : nil, "null")
        default:
            report(scalar.mark, path, "unsupported tag \(tag) (only !cel is understood)")
            return YAMLScalar(text: text, kind: .string, plain: plain)
        }
    }

    private func syntaxDiagnostic(_ error: YamlError, text: String) -> BlueprintDiagnostic {
        func context(_ context: YamlError.Context?) -> String {
            guard let context else { return "" }
            return " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        switch error {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
             .composer(let ctx, let problem, let mark, _):
            return BlueprintDiagnostic(location(of: mark), .root, "YAML syntax error: \(problem)\(context(ctx))")
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return BlueprintDiagnostic(location(of: ctx.mark), .root, "duplicate key \(keys) in a mapping")
        case .reader(let problem, let offset, _, _):
            let (line, column) = YAMLReader.lineAndColumn(ofCharacter: offset ?? 0, in: text)
            return BlueprintDiagnostic(location(line, column), .root, "cannot read YAML: \(problem)")
        default:
            return BlueprintDiagnostic(location(1, 1), .root, "cannot parse YAML: \(error)")
        }
    }

    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for (index, character) in text.enumerated() {
            if index >= offset { break }
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

extension YAMLReader {
    /// The YAML 1.2 core schema for plain scalars.
    static func implicitKind(of text: String) -> YAMLScalar.Kind {
        if isNull(text) { return .null }
        if let value = boolean(text) { return .bool(value) }
        if let value = integer(text) { return .int(value) }
        if let value = float(text) { return .float(value) }
        return .string
    }

    static func isNull(_ text: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(text) }

    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func integer(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "-" || first == "+" {
            negative = first == "-"
            body = body.dropFirst()
        }
        let radix: Int
        if body.hasPrefix("0x") {
            radix = 16
            body = body.dropFirst(2)
        } else if body.hasPrefix("0o") {
            radix = 8
            body = body.dropFirst(2)
        } else {
            radix = 10
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        guard let magnitude = UInt64(body, radix: radix) else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return Int64(exactly: magnitude)
    }

    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE][-+]?[0-9]+ )?
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            return index - start
        }
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" { index += 1 }
        let whole = digits()
        var fraction = 0
        if index < scalars.count, scalars[index] == "." {
            index += 1
            fraction = digits()
        }
        if whole == 0 && fraction == 0 { return nil }
        if index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
            index += 1
            if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" { index += 1 }
            if digits() == 0 { return nil }
        }
        return index == scalars.count ? Double(text) : nil
    }
}
