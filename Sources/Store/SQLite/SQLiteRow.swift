/// One result row, copied out of the statement so it can outlive the next `step`.
struct SQLiteRow: Sendable {
    /// The column values in select-list order.
    let values: [SQLiteValue]

    /// The value of column `index`, converted to `T`.
    func get<T: SQLiteColumnDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard values.indices.contains(index) else {
            throw StoreError.internalError("result row has \(values.count) columns; column \(index) was asked for")
        }
        return try T(sqliteValue: values[index])
    }

    /// A reader that walks the columns in order, so mappings read like the select list.
    var columns: SQLiteColumnReader { SQLiteColumnReader(row: self) }
}

/// Reads a row's columns one after another.
struct SQLiteColumnReader {
    private let row: SQLiteRow
    private var index = 0

    init(row: SQLiteRow) { self.row = row }

    /// The next column, converted to the type the caller expects.
    mutating func next<T: SQLiteColumnDecodable>(_ type: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try row.get(index, as: type)
    }
}
