/// Reads a string-backed enum from a column, or explains which column held what.
func decode<T: RawRepresentable>(_ type: T.Type, _ raw: String, column: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: raw) else {
        throw StoreError.internalError("column \(column) holds unknown value \"\(raw)\"")
    }
    return value
}
