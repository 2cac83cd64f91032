import CubicleModel

/// Server-side apply over unstructured objects. The applied configuration's fields become the
/// manager's set; a field another manager owns with a different value is a conflict unless
/// forced (forcing takes the field over); fields the manager applied before and now omits are
/// removed unless someone else also owns them. Lists in `ListMergeKeys` merge by key, other lists
/// are atomic.
enum ServerSideApply {
    /// One field another manager owns with a different value.
    struct Conflict: Sendable, Hashable {
        let manager: String
        let apiVersion: String
        let path: FieldPath
    }

    /// The outcome: the new object (without managed fields) and the new entries.
    struct Outcome: Sendable {
        let object: JSONValue
        let entries: [ManagedFieldsEntry]
    }

    /// Applies `configuration` for `manager` to `live` (nil: the object does not exist yet).
    static func apply(
        _ configuration: JSONValue, to live: JSONValue?, entries: [ManagedFieldsEntry], manager: String,
        subresource: String?, force: Bool, apiVersion: String, time: String
    ) throws(LocalClusterConflicts) -> Outcome {
        let scope: FieldScope = subresource == "status" ? .status : .main
        let applied = scope.content(of: configuration)
        let appliedPaths = FieldSets.paths(of: configuration, scope: scope)
        let base = live?.withoutManagedFields ?? .object([:])

        var conflicts: [Conflict] = []
        for entry in entries where entry.manager != manager {
            for path in entry.fields.intersection(appliedPaths) {
                guard case .field = path.last else { continue }
                if FieldPaths.value(at: path, in: base) != FieldPaths.value(at: path, in: applied) {
                    conflicts.append(Conflict(manager: entry.manager, apiVersion: entry.apiVersion, path: path))
                }
            }
        }
        if !conflicts.isEmpty && !force { throw LocalClusterConflicts(conflicts: conflicts) }

        let previous = entries.first { $0.isEntry(of: manager, operation: "Apply", subresource: subresource) }?.fields ?? []
        let ownedByOthers = entries.filter { !$0.isEntry(of: manager, operation: "Apply", subresource: subresource) }
            .reduce(into: Set<FieldPath>()) { $0.formUnion($1.fields) }
        var result = base
        let dropped = previous.subtracting(appliedPaths).subtracting(ownedByOthers)
        for path in dropped.sorted(by: { $0.count > $1.count }) { FieldPaths.remove(path, from: &result) }
        result = merge(result, applied, field: nil)

        let taken = Set(conflicts.map(\.path))
        var updated = entries.map { entry -> ManagedFieldsEntry in
            guard entry.manager != manager, !taken.isEmpty else { return entry }
            var copy = entry
            copy.fields.subtract(taken)
            return copy
        }
        if let index = updated.firstIndex(where: { $0.isEntry(of: manager, operation: "Apply", subresource: subresource) }) {
            if updated[index].fields != appliedPaths || result != base {
                updated[index].fields = appliedPaths
                updated[index].time = time
                updated[index].apiVersion = apiVersion
            }
        } else {
            updated.append(
                ManagedFieldsEntry(
                    manager: manager, operation: "Apply", apiVersion: apiVersion, time: time, subresource: subresource,
                    fields: appliedPaths
                )
            )
        }
        return Outcome(object: result, entries: updated.filter { !$0.fields.isEmpty })
    }

    /// Merges applied content into an object: maps recursively, keyed lists by key (live order
    /// kept, new elements appended), sets as unions, everything else replaced.
    static func merge(_ live: JSONValue?, _ applied: JSONValue, field: String?) -> JSONValue {
        switch (live, applied) {
        case (.object(var members)?, .object(let appliedMembers)):
            for (key, value) in appliedMembers where !value.isNull {
                members[key] = merge(members[key], value, field: key)
            }
            return .object(members)
        case (.array(let elements)?, .array(let appliedElements)):
            guard let field else { return applied }
            if ListMergeKeys.isSet(field) {
                var result = elements
                for element in appliedElements where !result.contains(element) { result.append(element) }
                return .array(result)
            }
            guard let keyFields = ListMergeKeys.keyFields(for: field, elements: elements + appliedElements),
                appliedElements.allSatisfy({ ListMergeKeys.key(of: $0, fields: keyFields) != nil }),
                elements.allSatisfy({ ListMergeKeys.key(of: $0, fields: keyFields) != nil })
            else { return applied }
            var result = elements
            for element in appliedElements {
                let key = ListMergeKeys.key(of: element, fields: keyFields)
                if let index = result.firstIndex(where: { ListMergeKeys.key(of: $0, fields: keyFields) == key }) {
                    result[index] = merge(result[index], element, field: nil)
                } else {
                    result.append(merge(nil, element, field: nil))
                }
            }
            return .array(result)
        case (_, .object):
            return merge(.object([:]), applied, field: field)
        default:
            return applied
        }
    }
}

/// The apply conflicts of one request, turned into the 409 the API server returns.
struct LocalClusterConflicts: Error, Sendable {
    let conflicts: [ServerSideApply.Conflict]

    /// `Apply failed with 1 conflict: conflict with "m" using v1: .spec.x`.
    func error(resource: ResourceType, name: String) -> LocalClusterError {
        let sorted = conflicts.sorted { ($0.manager, FieldPaths.describe($0.path)) < ($1.manager, FieldPaths.describe($1.path)) }
        let byManager = Dictionary(grouping: sorted, by: { "\($0.manager)\u{0}\($0.apiVersion)" })
        let parts = byManager.keys.sorted().map { groupKey -> String in
            let group = byManager[groupKey] ?? []
            let manager = group.first?.manager ?? ""
            let version = group.first?.apiVersion ?? ""
            if group.count == 1, let only = group.first {
                return "conflict with \"\(manager)\" using \(version): \(FieldPaths.describe(only.path))"
            }
            return "conflicts with \"\(manager)\" using \(version):\n"
                + group.map { "- " + FieldPaths.describe($0.path) }.joined(separator: "\n")
        }
        let count = conflicts.count
        let message = "Apply failed with \(count) conflict\(count == 1 ? "" : "s"): " + parts.joined(separator: "\n")
        return LocalClusterError(
            code: .conflict, httpStatus: 409, reason: "Conflict", message: message,
            details: StatusDetails(
                name: name, group: resource.group, kind: resource.plural,
                causes: sorted.map {
                    StatusDetails.Cause(
                        reason: "FieldManagerConflict", message: "conflict with \"\($0.manager)\" using \($0.apiVersion)",
                        field: FieldPaths.describe($0.path)
                    )
                }
            )
        )
    }
}
