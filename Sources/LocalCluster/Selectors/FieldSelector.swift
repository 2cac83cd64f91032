import CubicleModel

/// A parsed field selector (`metadata.name=x,status.phase!=Running`): a conjunction of equality
/// and inequality terms on the fields a kind makes selectable.
struct FieldSelector: Sendable, Hashable {
    /// One `field=value` or `field!=value` term.
    struct Term: Sendable, Hashable {
        let field: String
        let value: String
        let negated: Bool
    }

    let terms: [Term]

    /// The selector matching everything.
    static let everything = FieldSelector(terms: [])

    /// True when the selector has no terms.
    var isEmpty: Bool { terms.isEmpty }

    /// The value required for `field` by an equality term, if any (used for `metadata.name` watches).
    func requiredValue(of field: String) -> String? {
        terms.first { $0.field == field && !$0.negated }?.value
    }

    /// True when every term holds for `object` under `strategy`'s selectable fields.
    func matches(_ object: JSONValue, strategy: any ResourceStrategy) -> Bool {
        terms.allSatisfy { term in
            let actual = strategy.fieldValue(term.field, of: object) ?? ""
            return (actual == term.value) != term.negated
        }
    }

    /// Parses the query-string form (with `\` escapes) and checks every field is selectable
    /// for `resource`; throws 400 otherwise.
    static func parse(_ text: String, for resource: ResourceType) throws(LocalClusterError) -> FieldSelector {
        var terms: [Term] = []
        for part in splitUnescaped(text, on: ",") where !part.trimmingSpaces.isEmpty {
            let split: (field: String, value: String, negated: Bool)
            if let range = firstUnescaped(part, of: "!=") {
                split = (String(part[..<range.lowerBound]), String(part[range.upperBound...]), true)
            } else if let range = firstUnescaped(part, of: "==") {
                split = (String(part[..<range.lowerBound]), String(part[range.upperBound...]), false)
            } else if let range = firstUnescaped(part, of: "=") {
                split = (String(part[..<range.lowerBound]), String(part[range.upperBound...]), false)
            } else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            let (field, value, negated) = split
            let key = field.trimmingSpaces
            guard resource.strategy.fieldValue(key, of: .object([:])) != nil else {
                throw .badRequest("field label not supported: \(key)")
            }
            terms.append(Term(field: key, value: unescape(value), negated: negated))
        }
        return FieldSelector(terms: terms)
    }

    private static func splitUnescaped(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for char in text {
            if escaped {
                current.append("\\")
                current.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
            } else if char == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    private static func firstUnescaped(_ text: String, of operatorText: String) -> Range<String.Index>? {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { index = text.index(after: index) }
                continue
            }
            if text[index...].hasPrefix(operatorText) {
                return index..<text.index(index, offsetBy: operatorText.count)
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for char in text {
            if escaped {
                result.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
            } else {
                result.append(char)
            }
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing spaces.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}

/// What a list or watch selects: a resource, optionally one namespace, label and field selectors.
struct ObjectFilter: Sendable {
    let resource: ResourceType
    /// Nil for all namespaces (and for cluster-scoped kinds).
    let namespace: String?
    let labels: LabelSelector
    let fields: FieldSelector

    /// Everything of `resource` in `namespace`.
    init(resource: ResourceType, namespace: String?, labels: LabelSelector = .everything, fields: FieldSelector = .everything) {
        self.resource = resource
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
    }

    /// True when `object` is selected (namespace is checked by key, not here).
    func matches(_ object: JSONValue) -> Bool {
        labels.matches(object.labels) && fields.matches(object, strategy: resource.strategy)
    }

    /// True when an object stored under `key` is in scope.
    func covers(_ key: ObjectKey) -> Bool {
        namespace.map { $0 == key.namespace } ?? true
    }
}
