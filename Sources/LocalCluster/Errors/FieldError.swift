import CubicleModel
import Foundation

/// One field-level validation failure, rendered the way the Kubernetes API server words it
/// (`metadata.name: Invalid value: "Bad_Name": ...`).
struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure and their `StatusCause` reasons.
    enum ErrorType: Sendable, Hashable {
        case invalid(JSONValue)
        case required
        case forbidden
        case duplicate(JSONValue)
        case notSupported(JSONValue, supported: [String])
        case tooLong(max: Int)

        var reason: String {
            switch self {
            case .invalid: "FieldValueInvalid"
            case .required: "FieldValueRequired"
            case .forbidden: "FieldValueForbidden"
            case .duplicate: "FieldValueDuplicate"
            case .notSupported: "FieldValueNotSupported"
            case .tooLong: "FieldValueTooLong"
            }
        }
    }

    let field: String
    let type: ErrorType
    let detail: String

    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(field: field, type: .invalid(value), detail: detail)
    }

    static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, type: .required, detail: detail)
    }

    static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(field: field, type: .forbidden, detail: detail)
    }

    static func duplicate(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(field: field, type: .duplicate(value), detail: "")
    }

    static func notSupported(_ field: String, _ value: JSONValue, _ supported: [String]) -> FieldError {
        FieldError(field: field, type: .notSupported(value, supported: supported), detail: "")
    }

    /// The message without the field prefix, as in a `StatusCause`.
    var causeMessage: String {
        switch type {
        case .invalid(let value):
            return "Invalid value: \(Self.render(value))" + (detail.isEmpty ? "" : ": \(detail)")
        case .required:
            return "Required value" + (detail.isEmpty ? "" : ": \(detail)")
        case .forbidden:
            return "Forbidden" + (detail.isEmpty ? "" : ": \(detail)")
        case .duplicate(let value):
            return "Duplicate value: \(Self.render(value))"
        case .notSupported(let value, let supported):
            let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
            return "Unsupported value: \(Self.render(value)): supported values: \(list)"
        case .tooLong(let max):
            return "Too long: may not be more than \(max) bytes"
        }
    }

    /// `field: message`.
    var description: String { field.isEmpty ? causeMessage : "\(field): \(causeMessage)" }

    private static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .int(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        default: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }
}
