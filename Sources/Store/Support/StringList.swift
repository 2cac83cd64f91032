import Foundation

/// Small string lists (roles, scopes, blueprints) kept as a JSON array in one text column: they are
/// read and written whole, never queried element by element.
enum StringList {
    /// The JSON text of `list`.
    static func encode(_ list: [String]) -> String {
        guard let data = try? JSONEncoder().encode(list) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The list in `text`, or an internal error naming `column` when it is not a JSON string array.
    static func decode(_ text: String, column: String) throws -> [String] {
        do {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw StoreError.internalError("column \(column) does not hold a JSON list of strings", underlying: error)
        }
    }
}
