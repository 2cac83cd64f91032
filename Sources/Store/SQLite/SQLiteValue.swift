import Foundation

/// One SQLite value, as bound to a statement or read from a column.
enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The storage class name SQLite uses, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
    }
}

/// A Swift value that can be bound to a statement parameter.
protocol SQLiteBindable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
}

/// A Swift value that can be read from a result column.
protocol SQLiteColumnDecodable {
    /// Converts the column value, or throws when it has the wrong storage class.
    init(sqliteValue: SQLiteValue) throws
}

extension SQLiteValue: SQLiteBindable {
    var sqliteValue: SQLiteValue { self }
}

extension String: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .text(self) }
    init(sqliteValue: SQLiteValue) throws {
        guard case .text(let text) = sqliteValue else { throw SQLiteValue.mismatch(sqliteValue, expected: "text") }
        self = text
    }
}

extension Int64: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .integer(self) }
    init(sqliteValue: SQLiteValue) throws {
        guard case .integer(let value) = sqliteValue else { throw SQLiteValue.mismatch(sqliteValue, expected: "integer") }
        self = value
    }
}

extension Int: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    init(sqliteValue: SQLiteValue) throws {
        let wide = try Int64(sqliteValue: sqliteValue)
        guard let value = Int(exactly: wide) else { throw SQLiteValue.mismatch(sqliteValue, expected: "Int") }
        self = value
    }
}

extension Double: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .real(self) }
    init(sqliteValue: SQLiteValue) throws {
        switch sqliteValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: throw SQLiteValue.mismatch(sqliteValue, expected: "real")
        }
    }
}

extension Bool: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
    init(sqliteValue: SQLiteValue) throws {
        self = try Int64(sqliteValue: sqliteValue) != 0
    }
}

/// Times are stored as integer milliseconds since the Unix epoch (UTC) everywhere in the schema:
/// they sort and compare as numbers, and Postgres `bigint` holds them unchanged.
extension Date: SQLiteBindable, SQLiteColumnDecodable {
    var sqliteValue: SQLiteValue { .integer(millisecondsSinceEpoch) }
    init(sqliteValue: SQLiteValue) throws {
        self = Date(millisecondsSinceEpoch: try Int64(sqliteValue: sqliteValue))
    }

    /// Milliseconds since the epoch, clamped so that no date (not even a non-finite one) traps.
    var millisecondsSinceEpoch: Int64 {
        let millis = (timeIntervalSince1970 * 1000).rounded()
        guard millis.isFinite else { return 0 }
        let limit = 9.0e15  // far beyond year 200 000, well inside Int64
        return Int64(Swift.max(-limit, Swift.min(limit, millis)))
    }

    /// This date as the store keeps it (whole milliseconds), so records returned by a write equal
    /// the same records read back later.
    var storePrecision: Date { Date(millisecondsSinceEpoch: millisecondsSinceEpoch) }

    /// The date `milliseconds` after the epoch.
    init(millisecondsSinceEpoch milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension Array: SQLiteBindable where Element == UInt8 {
    var sqliteValue: SQLiteValue { .blob(self) }
}

extension Array: SQLiteColumnDecodable where Element == UInt8 {
    init(sqliteValue: SQLiteValue) throws {
        guard case .blob(let bytes) = sqliteValue else { throw SQLiteValue.mismatch(sqliteValue, expected: "blob") }
        self = bytes
    }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}

extension Optional: SQLiteColumnDecodable where Wrapped: SQLiteColumnDecodable {
    init(sqliteValue: SQLiteValue) throws {
        if case .null = sqliteValue {
            self = nil
        } else {
            self = try Wrapped(sqliteValue: sqliteValue)
        }
    }
}

extension SQLiteValue {
    static func mismatch(_ value: SQLiteValue, expected: String) -> StoreError {
        .internalError("unexpected \(value.typeName) value in the database where \(expected) was expected")
    }
}
