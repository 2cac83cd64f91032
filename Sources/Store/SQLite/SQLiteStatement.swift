import CSQLite

/// A prepared statement owned by one connection (and so by one thread).
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    let sql: String

    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            sqlite3_prepare_v3(connection, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
        }
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteConnection.error(rc, connection, context: "preparing `\(sql)`")
        }
        if let tail, tail.pointee != 0, String(cString: tail).contains(where: { !$0.isWhitespace && $0 != ";" }) {
            sqlite3_finalize(statement)
            throw StoreError.internalError("one SQL statement at a time: `\(sql)`")
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to parameters 1…n; the count must match the statement's.
    func bind(_ values: [any SQLiteBindable]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw StoreError.internalError("`\(sql)` takes \(expected) parameters, \(values.count) given")
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value.sqliteValue {
            case .null:
                rc = sqlite3_bind_null(handle, index)
            case .integer(let number):
                rc = sqlite3_bind_int64(handle, index, number)
            case .real(let number):
                rc = sqlite3_bind_double(handle, index, number)
            case .text(let text):
                // Explicit length, so text with an embedded NUL is stored whole.
                var text = text
                rc = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        // An empty buffer may have no address, and a null pointer would bind NULL, not "".
                        guard let base = chars.baseAddress else {
                            return sqlite3_bind_text(handle, index, "", 0, cubicle_sqlite_transient())
                        }
                        return sqlite3_bind_text(handle, index, base, Int32(chars.count), cubicle_sqlite_transient())
                    }
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    // A null pointer would bind SQL NULL, not an empty blob.
                    rc = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    rc = bytes.withUnsafeBytes {
                        sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), cubicle_sqlite_transient())
                    }
                }
            }
            guard rc == SQLITE_OK else { throw SQLiteConnection.error(rc, connection, context: "binding `\(sql)`") }
        }
    }

    /// Advances to the next row; false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteConnection.error(rc, connection, context: "running `\(sql)`")
        }
    }

    /// Copies the current row out.
    func row() -> SQLiteRow {
        let count = sqlite3_column_count(handle)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_TEXT:
                let bytes = sqlite3_column_text(handle, column)
                let length = Int(sqlite3_column_bytes(handle, column))
                let buffer = UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length)
                values.append(.text(String(decoding: buffer, as: UTF8.self)))
            case SQLITE_BLOB:
                let bytes = sqlite3_column_blob(handle, column)
                let length = Int(sqlite3_column_bytes(handle, column))
                let buffer = UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length)
                values.append(.blob(Array(buffer)))
            default:
                values.append(.null)
            }
        }
        return SQLiteRow(values: values)
    }

    /// Makes the statement ready for its next use and drops the bound values (which may be secrets).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}
