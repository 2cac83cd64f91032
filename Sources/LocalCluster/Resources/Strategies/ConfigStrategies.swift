import CubicleModel
import Foundation

/// ConfigMaps: key validation, `immutable`, and a DATA column.
struct ConfigMapStrategy: ResourceStrategy {
    func validate(_ object: JSONValue) -> [FieldError] {
        ConfigData.validateKeys(object, fields: ["data", "binaryData"])
            + ConfigData.validateBase64(object, field: "binaryData")
    }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        ConfigData.validateImmutable(new, old: old, fields: ["data", "binaryData"])
    }

    var columns: [TableColumn] {
        [.name, TableColumn("Data", type: "integer", description: "Number of entries in the config map."), .age]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let count = (object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)
        return [.string(object.name), .int(Int64(count)), .string(HumanDuration.age(of: object, now: now))]
    }
}

/// Secrets: `stringData` folded into `data`, base64 validation, default type, `immutable`.
struct SecretStrategy: ResourceStrategy {
    func applyDefaults(_ object: inout JSONValue) {
        if (object["type"]?.stringValue ?? "").isEmpty { object["type"] = "Opaque" }
        guard let plain = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in plain {
            if let text = value.stringValue { data[key] = .string(Data(text.utf8).base64EncodedString()) }
        }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    func validate(_ object: JSONValue) -> [FieldError] {
        ConfigData.validateKeys(object, fields: ["data"]) + ConfigData.validateBase64(object, field: "data")
    }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        var errors = ConfigData.validateImmutable(new, old: old, fields: ["data"])
        if new["type"] != old["type"] {
            errors.append(.invalid("type", new["type"] ?? .null, "field is immutable"))
        }
        return errors
    }

    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        field == "type" ? (object["type"]?.stringValue ?? "") : metadataFieldValue(field, of: object)
    }

    var columns: [TableColumn] {
        [
            .name, TableColumn("Type", description: "The type of the secret"),
            TableColumn("Data", type: "integer", description: "The number of entries in the secret"), .age,
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        [
            .string(object.name), .string(object["type"]?.stringValue ?? ""),
            .int(Int64(object["data"]?.objectValue?.count ?? 0)), .string(HumanDuration.age(of: object, now: now)),
        ]
    }
}

/// Checks shared by ConfigMaps and Secrets.
enum ConfigData {
    static func validateKeys(_ object: JSONValue, fields: [String]) -> [FieldError] {
        var errors: [FieldError] = []
        for field in fields {
            guard let value = object[field], !value.isNull else { continue }
            guard let members = value.objectValue else {
                errors.append(.invalid(field, value, "must be an object of strings"))
                continue
            }
            for key in members.keys.sorted() where !isConfigKey(key) {
                errors.append(
                    .invalid(
                        field, .string(key),
                        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
                    )
                )
            }
            for (key, entry) in members.sorted(by: { $0.key < $1.key }) where entry.stringValue == nil {
                errors.append(.invalid("\(field)[\(key)]", entry, "must be a string"))
            }
        }
        return errors
    }

    static func validateBase64(_ object: JSONValue, field: String) -> [FieldError] {
        guard let members = object[field]?.objectValue else { return [] }
        return members.sorted(by: { $0.key < $1.key }).compactMap { key, value in
            guard let text = value.stringValue, Data(base64Encoded: text) == nil else { return nil }
            return .invalid("\(field)[\(key)]", "<secret contents redacted>", "illegal base64 data")
        }
    }

    static func validateImmutable(_ new: JSONValue, old: JSONValue, fields: [String]) -> [FieldError] {
        guard old["immutable"]?.boolValue == true else { return [] }
        var errors: [FieldError] = []
        if new["immutable"]?.boolValue != true {
            errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
        }
        for field in fields where new[field] != old[field] {
            errors.append(.forbidden(field, "field is immutable when `immutable` is set"))
        }
        return errors
    }

    private static func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 253 && key != "." && key != ".."
            && key.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }
}
