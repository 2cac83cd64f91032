import CubicleModel

/// Encodes the store's state into the bytes of `state.json`, serializing again only the objects
/// whose resourceVersion changed since the previous snapshot: every write stamps a new
/// resourceVersion, so an unchanged version means unchanged bytes. With thousands of objects a
/// burst of commits used to re-encode them all. Used only on the persister's queue.
struct SnapshotEncoder {
    private struct Entry {
        let resourceVersion: String
        let bytes: [UInt8]
    }

    private var cache: [String: [ObjectKey: Entry]] = [:]

    /// How many objects the last `encode` serialized afresh (the rest came from the cache).
    private(set) var lastSerializedCount = 0

    /// The document `PersistedState(resourceVersion:objects:).document` serializes to, tables
    /// and objects in key order (parses to the same value).
    mutating func encode(resourceVersion: Int64, tables: [String: [ObjectKey: JSONValue]]) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"formatVersion":\#(PersistedState.formatVersion),"resourceVersion":\#(resourceVersion),"objects":{"#.utf8)
        var next: [String: [ObjectKey: Entry]] = [:]
        var serialized = 0
        for (tableIndex, resourceID) in tables.keys.sorted().enumerated() {
            guard let table = tables[resourceID] else { continue }
            if tableIndex > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: JSONValue.string(resourceID).serialized())
            out.append(contentsOf: ":[".utf8)
            let previous = cache[resourceID] ?? [:]
            var entries: [ObjectKey: Entry] = [:]
            entries.reserveCapacity(table.count)
            for (index, (key, object)) in table.sorted(by: { $0.key < $1.key }).enumerated() {
                let version = object.resourceVersion
                let entry: Entry
                if let cached = previous[key], !version.isEmpty, cached.resourceVersion == version {
                    entry = cached
                } else {
                    entry = Entry(resourceVersion: version, bytes: object.serialized())
                    serialized += 1
                }
                entries[key] = entry
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: entry.bytes)
            }
            out.append(UInt8(ascii: "]"))
            next[resourceID] = entries
        }
        out.append(contentsOf: "}}".utf8)
        cache = next
        lastSerializedCount = serialized
        return out
    }
}
