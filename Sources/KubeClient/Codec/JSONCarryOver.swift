import CubicleModel

/// Three-way carry-over that keeps fields a typed model does not know when the typed value is
/// written back: the edit a caller made (`decoded` → `edited`, both encodings of the typed value)
/// is replayed onto the document the value was decoded from (`original`).
///
/// Objects merge key by key (keys only `original` has are kept; keys the edit removed are
/// removed). Arrays of named objects (containers, volumes, env, ports…) are matched by `name`, other
/// arrays by position when no element was added or removed; otherwise the edited array wins.
enum JSONCarryOver {
    /// `original` with the change from `decoded` to `edited` applied.
    static func apply(original: JSONValue?, decoded: JSONValue?, edited: JSONValue) -> JSONValue {
        guard let original else { return edited }
        if let decoded, decoded == edited { return original }
        switch (original, edited) {
        case (.object(let originalMembers), .object(let editedMembers)):
            let decodedMembers = decoded?.objectValue ?? [:]
            var result = originalMembers
            for key in decodedMembers.keys where editedMembers[key] == nil {
                result.removeValue(forKey: key)
            }
            for (key, value) in editedMembers {
                if let before = decodedMembers[key], before == value { continue }
                result[key] = apply(original: originalMembers[key], decoded: decodedMembers[key], edited: value)
            }
            return .object(result)
        case (.array(let originalItems), .array(let editedItems)):
            let decodedItems = decoded?.arrayValue ?? []
            if let originalByName = namedIndex(originalItems), let decodedByName = namedIndex(decodedItems),
                namedIndex(editedItems) != nil
            {
                return .array(editedItems.map { item in
                    let name = item["name"]?.stringValue ?? ""
                    return apply(original: originalByName[name], decoded: decodedByName[name], edited: item)
                })
            }
            guard originalItems.count == editedItems.count, decodedItems.count == editedItems.count else { return edited }
            return .array(editedItems.indices.map { index in
                apply(original: originalItems[index], decoded: decodedItems[index], edited: editedItems[index])
            })
        default:
            return edited
        }
    }

    /// The items keyed by their `name`, or nil unless every item is an object with a unique string name.
    private static func namedIndex(_ items: [JSONValue]) -> [String: JSONValue]? {
        var index: [String: JSONValue] = [:]
        for item in items {
            guard let name = item["name"]?.stringValue, index[name] == nil else { return nil }
            index[name] = item
        }
        return index
    }
}
