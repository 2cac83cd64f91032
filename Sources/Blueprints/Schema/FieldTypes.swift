import CubicleModel

/// A rule a value must satisfy, returning the phrase for a violation (`must be an absolute path`).
typealias ValueRule<T> = @Sendable (T) -> String?

extension FieldType {
    static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "\"" + shown + "\""
    }
}

extension FieldType where Value == String {
    /// A string field. `lenient` also takes plain numbers and booleans by their text, as an
    /// environment value `PORT: 8080` would be meant.
    static func string(_ expected: String = "a string", lenient: Bool = false, rule: ValueRule<String>? = nil) -> FieldType {
        @Sendable func check(_ text: String, literal: Bool) -> Result<String, FieldProblem> {
            if let phrase = rule?(text) { return .failure(FieldProblem(literal ? "\(phrase), got \(quoted(text))" : phrase)) }
            return .success(text)
        }
        return FieldType(
            expected: expected,
            acceptedTypes: lenient ? [.string, .int, .bool] : [.string],
            fromScalar: { scalar in
                switch scalar.kind {
                case .string: return check(scalar.text, literal: true)
                case .int, .float, .bool:
                    if lenient { return check(scalar.text, literal: true) }
                    return .failure(FieldProblem("expected \(expected), got \(scalar.kind)"))
                default: return .failure(FieldProblem("expected \(expected), got \(scalar.kind)"))
                }
            },
            fromValue: { value in
                switch value {
                case .string(let text): return check(text, literal: false)
                case .int(let number) where lenient: return check(String(number), literal: false)
                case .bool(let flag) where lenient: return check(String(flag), literal: false)
                default: return .failure(FieldProblem("expected \(expected)"))
                }
            }
        )
    }
}

extension FieldType where Value == Bool {
    /// A boolean field, with an optional rule (`runAsNonRoot` must not be true).
    static func bool(rule: ValueRule<Bool>? = nil) -> FieldType {
        @Sendable func check(_ flag: Bool, literal: Bool) -> Result<Bool, FieldProblem> {
            if let phrase = rule?(flag) { return .failure(FieldProblem(literal ? "\(phrase), got \(flag)" : phrase)) }
            return .success(flag)
        }
        return FieldType(
            expected: "a boolean",
            acceptedTypes: [.bool],
            fromScalar: { scalar in
                if case .bool(let flag) = scalar.kind { return check(flag, literal: true) }
                return .failure(FieldProblem("expected a boolean (true or false), got \(scalar.kind) \(quoted(scalar.text))"))
            },
            fromValue: { value in
                if case .bool(let flag) = value { return check(flag, literal: false) }
                return .failure(FieldProblem("expected a boolean"))
            }
        )
    }
}

extension FieldType where Value == Int {
    /// An integer field within `range`.
    static func int(in range: ClosedRange<Int>) -> FieldType {
        @Sendable func check(_ number: Int64) -> Result<Int, FieldProblem> {
            guard let value = Int(exactly: number), range.contains(value) else {
                return .failure(FieldProblem("must be between \(range.lowerBound) and \(range.upperBound), got \(number)"))
            }
            return .success(value)
        }
        return FieldType(
            expected: "an integer",
            acceptedTypes: [.int],
            fromScalar: { scalar in
                if case .int(let number) = scalar.kind { return check(number) }
                return .failure(FieldProblem("expected an integer, got \(scalar.kind) \(quoted(scalar.text))"))
            },
            fromValue: { value in
                if case .int(let number) = value { return check(number) }
                return .failure(FieldProblem("expected an integer"))
            }
        )
    }
}

extension FieldType where Value == Quantity {
    /// A Kubernetes quantity, written as a string (`2Gi`) or a plain number (`2`, `1.5`).
    static func quantity(rule: ValueRule<Quantity>? = nil) -> FieldType {
        @Sendable func parse(_ text: String) -> Result<Quantity, FieldProblem> {
            let quantity: Quantity
            do {
                quantity = try Quantity(text)
            } catch {
                return .failure(FieldProblem("expected a Kubernetes quantity (like 500m, 2, 1.5Gi), got \(quoted(text)): \(error.reason)"))
            }
            if let phrase = rule?(quantity) { return .failure(FieldProblem("\(phrase), got \(quoted(text))")) }
            return .success(quantity)
        }
        return FieldType(
            expected: "a quantity",
            acceptedTypes: [.string, .int],
            fromScalar: { scalar in
                switch scalar.kind {
                case .string, .int, .float: return parse(scalar.text)
                default: return .failure(FieldProblem("expected a Kubernetes quantity (like 500m, 2, 1.5Gi), got \(scalar.kind)"))
                }
            },
            fromValue: { value in
                switch value {
                case .string(let text): return parse(text)
                case .int(let number): return parse(String(number))
                default: return .failure(FieldProblem("expected a quantity"))
                }
            }
        )
    }
}

extension FieldType where Value == DurationString {
    /// A duration like `30m` or `1h30m`, never zero.
    static func duration() -> FieldType {
        @Sendable func parse(_ text: String) -> Result<DurationString, FieldProblem> {
            do {
                let duration = try DurationString(text)
                if duration.nanoseconds == 0 { return .failure(FieldProblem("must be longer than zero, got \(quoted(text))")) }
                return .success(duration)
            } catch {
                return .failure(FieldProblem("expected a duration like 30m or 1h30m, got \(quoted(text)): \(error.reason)"))
            }
        }
        return FieldType(
            expected: "a duration",
            acceptedTypes: [.string],
            fromScalar: { scalar in
                if case .string = scalar.kind { return parse(scalar.text) }
                return .failure(FieldProblem("expected a duration like 30m or 1h30m, got \(scalar.kind) \(quoted(scalar.text))"))
            },
            fromValue: { value in
                if case .string(let text) = value { return parse(text) }
                return .failure(FieldProblem("expected a duration"))
            }
        )
    }
}

extension FieldType where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of an enumeration's spellings.
    static func enumeration() -> FieldType {
        let choices = Value.allCases.map(\.rawValue).joined(separator: ", ")
        @Sendable func parse(_ text: String) -> Result<Value, FieldProblem> {
            if let value = Value(rawValue: text) { return .success(value) }
            return .failure(FieldProblem("expected one of \(choices), got \(quoted(text))"))
        }
        return FieldType(
            expected: "one of \(choices)",
            acceptedTypes: [.string],
            fromScalar: { scalar in
                if case .string = scalar.kind { return parse(scalar.text) }
                return .failure(FieldProblem("expected one of \(choices), got \(scalar.kind) \(quoted(scalar.text))"))
            },
            fromValue: { value in
                if case .string(let text) = value { return parse(text) }
                return .failure(FieldProblem("expected one of \(choices)"))
            }
        )
    }
}
