import CubicleModel

/// A `meta.k8s.io/v1` table column definition.
struct TableColumn: Sendable, Hashable {
    let name: String
    let type: String
    let format: String
    let description: String
    /// 0 for default output, 1 for `-o wide` only.
    let priority: Int

    init(_ name: String, type: String = "string", format: String = "", description: String, priority: Int = 0) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    /// The NAME column every kind has.
    static let name = TableColumn(
        "Name", format: "name",
        description: "Name must be unique within a namespace. Cannot be updated."
    )

    /// The AGE column: time since creation.
    static let age = TableColumn(
        "Age",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created."
    )

    /// The JSON form of the definition.
    var json: JSONValue {
        [
            "name": .string(name), "type": .string(type), "format": .string(format),
            "description": .string(description), "priority": .int(Int64(priority)),
        ]
    }
}
