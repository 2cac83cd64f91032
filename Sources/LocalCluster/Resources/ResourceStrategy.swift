import CubicleModel
import Foundation

/// The kind-specific behaviour of a resource: defaults on create, validation, selectable fields
/// and table columns. Every requirement has a default, so most kinds use `GenericStrategy`.
protocol ResourceStrategy: Sendable {
    /// Sets the initial status of an object about to be created.
    func prepareForCreate(_ object: inout JSONValue)
    /// Fills server defaults, on create and on every update (so unchanged input compares equal).
    func applyDefaults(_ object: inout JSONValue)
    /// Kind-specific field errors of an object about to be stored (names are checked elsewhere).
    func validate(_ object: JSONValue) -> [FieldError]
    /// Field errors of an update from `old` to `new`, such as changes to immutable fields.
    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError]
    /// The value of a `fieldSelector` field (empty when unset), or nil when the field is not selectable.
    func fieldValue(_ field: String, of object: JSONValue) -> String?
    /// The table columns after which rows are rendered.
    var columns: [TableColumn] { get }
    /// One table row's cells, in `columns` order.
    func cells(_ object: JSONValue, now: Date) -> [JSONValue]
}

extension ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {}

    func applyDefaults(_ object: inout JSONValue) {}

    func validate(_ object: JSONValue) -> [FieldError] { [] }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] { [] }

    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        metadataFieldValue(field, of: object)
    }

    var columns: [TableColumn] { [.name, .age] }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        [.string(object.name), .string(HumanDuration.age(of: object, now: now))]
    }

    /// `metadata.name` and `metadata.namespace`, selectable on every kind.
    func metadataFieldValue(_ field: String, of object: JSONValue) -> String? {
        switch field {
        case "metadata.name": object.name
        case "metadata.namespace": object.namespace
        default: nil
        }
    }
}

/// The behaviour of kinds that are stored as given.
struct GenericStrategy: ResourceStrategy {}
