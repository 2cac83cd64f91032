import CubicleModel

/// What the data dir keeps of the store: every object by resource id and the resourceVersion
/// counter, so a restarted cluster has the same objects and keeps counting upward.
struct PersistedState: Sendable, Equatable {
    /// The format of `state.json`; bumped on incompatible changes.
    static let formatVersion: Int64 = 1

    var resourceVersion: Int64
    var objects: [String: [JSONValue]]

    /// The JSON document written to disk.
    var document: JSONValue {
        .object([
            "formatVersion": .int(Self.formatVersion),
            "resourceVersion": .int(resourceVersion),
            "objects": .object(objects.mapValues { .array($0) }),
        ])
    }

    /// Reads a document written by `document`; throws on anything else.
    init(document: JSONValue) throws(LocalClusterError) {
        guard document["formatVersion"]?.intValue == Self.formatVersion,
            let version = document["resourceVersion"]?.intValue,
            let objects = document["objects"]?.objectValue
        else { throw .setup("the cluster state file has an unknown format") }
        var tables: [String: [JSONValue]] = [:]
        for (resourceID, list) in objects {
            guard let items = list.arrayValue else { throw .setup("the cluster state file is damaged (\(resourceID))") }
            tables[resourceID] = items
        }
        // Objects stamped beyond the counter (never expected) still keep the counter monotonic.
        let highest = tables.values.joined().compactMap { Int64($0.resourceVersion) }.max() ?? 0
        self.init(resourceVersion: max(version, highest), objects: tables)
    }

    /// A state from its parts.
    init(resourceVersion: Int64, objects: [String: [JSONValue]]) {
        self.resourceVersion = resourceVersion
        self.objects = objects
    }
}
