import CubicleModel

/// One `metadata.managedFields` entry: which fields a manager owns through which operation.
struct ManagedFieldsEntry: Sendable, Equatable {
    var manager: String
    /// `Apply` or `Update`.
    var operation: String
    var apiVersion: String
    var time: String
    /// `status` for entries made through the status subresource.
    var subresource: String?
    var fields: Set<FieldPath>

    /// The entry's JSON form.
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": FieldSets.fieldsV1(fields),
        ]
        if let subresource { members["subresource"] = .string(subresource) }
        return .object(members)
    }

    /// True when this entry is the one `manager` writes with `operation` through `subresource`.
    func isEntry(of manager: String, operation: String, subresource: String?) -> Bool {
        self.manager == manager && self.operation == operation && self.subresource == subresource
    }
}

/// Reading, writing and updating the managed fields of objects.
enum ManagedFields {
    /// The entries stored in `object` (malformed entries are skipped).
    static func entries(of object: JSONValue) -> [ManagedFieldsEntry] {
        (object[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { entry in
            guard let manager = entry["manager"]?.stringValue, let operation = entry["operation"]?.stringValue else {
                return nil
            }
            return ManagedFieldsEntry(
                manager: manager, operation: operation, apiVersion: entry["apiVersion"]?.stringValue ?? "",
                time: entry["time"]?.stringValue ?? "", subresource: entry["subresource"]?.stringValue,
                fields: FieldSets.paths(fromFieldsV1: entry["fieldsV1"] ?? .object([:]))
            )
        }
    }

    /// Stores `entries` in `object` (dropping entries that own nothing).
    static func store(_ entries: [ManagedFieldsEntry], in object: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }
        object.setMeta("managedFields", kept.isEmpty ? nil : .array(kept.map(\.json)))
    }

    /// The entries after a non-apply write by `manager` from `old` to `new`: the fields it set or
    /// changed become its own (and leave other managers), removed fields leave everyone.
    static func recordUpdate(
        old: JSONValue?, new: JSONValue, entries: [ManagedFieldsEntry], manager: String, subresource: String?,
        apiVersion: String, time: String
    ) -> [ManagedFieldsEntry] {
        let scope: FieldScope = subresource == "status" ? .status : .main
        let oldPaths = old.map { FieldSets.paths(of: $0, scope: scope) } ?? []
        let newPaths = FieldSets.paths(of: new, scope: scope)
        let changed = newPaths.filter { path in
            guard oldPaths.contains(path), let old else { return true }
            if case .field = path.last {
                return FieldPaths.value(at: path, in: old) != FieldPaths.value(at: path, in: new)
            }
            return false
        }
        let removed = oldPaths.subtracting(newPaths)
        guard !changed.isEmpty || !removed.isEmpty else { return entries }
        var result = entries.map { entry -> ManagedFieldsEntry in
            var copy = entry
            copy.fields.subtract(changed)
            copy.fields.subtract(removed)
            return copy
        }
        if let index = result.firstIndex(where: { $0.isEntry(of: manager, operation: "Update", subresource: subresource) }) {
            result[index].fields.formUnion(changed)
            result[index].time = time
            result[index].apiVersion = apiVersion
        } else if !changed.isEmpty {
            result.append(
                ManagedFieldsEntry(
                    manager: manager, operation: "Update", apiVersion: apiVersion, time: time, subresource: subresource,
                    fields: changed
                )
            )
        }
        return result.filter { !$0.fields.isEmpty }
    }

    /// The manager name of a request: the `fieldManager` parameter, else the user agent's
    /// program name (`kubectl`, `curl`), as the API server derives it.
    static func managerName(fieldManager: String?, userAgent: String?) -> String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        let agent = userAgent ?? ""
        let program = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return program.isEmpty ? "unknown" : String(program.prefix(128))
    }
}
