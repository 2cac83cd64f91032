import CubicleModel
import Foundation

extension Registry {
    /// Deletes object `name`: preconditions (409), then either removal now, or — for a bound,
    /// running pod (graceful termination) or an object with finalizers — `deletionTimestamp`
    /// and the object stays until the kubelet or the finalizers let it go.
    func delete(
        _ resource: ResourceType, namespace: String, name: String, options: DeleteOptions, dryRun: Bool
    ) throws(LocalClusterError) -> DeleteOutcome {
        try options.validate()
        if let reason = Self.protection(resource, name) { throw .forbidden("\(resource.qualifiedPlural) \"\(name)\" is forbidden: \(reason)") }
        let key = Self.key(resource, namespace: namespace, name: name)
        return try store.write { state throws(LocalClusterError) in
            guard let current = state.object(resource, key) else { throw .notFound(resource, name) }
            if let uid = options.preconditionUID, uid != current.uid {
                throw .conflict(resource, name, reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            if let version = options.preconditionResourceVersion, version != current.resourceVersion {
                throw .conflict(
                    resource, name,
                    reason: "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(current.resourceVersion)"
                )
            }
            return deleteObject(current, resource, key: key, options: options, dryRun: dryRun, in: &state)
        }
    }

    /// Deletes every object of `resource` in `namespace` selected by `list`; returns what each delete returned.
    func deleteCollection(
        _ resource: ResourceType, namespace: String?, list: ListOptions, options: DeleteOptions, dryRun: Bool
    ) throws(LocalClusterError) -> [JSONValue] {
        try options.validate()
        let filter = ObjectFilter(resource: resource, namespace: namespace, labels: list.labels, fields: list.fields)
        return try store.write { state throws(LocalClusterError) in
            var results: [JSONValue] = []
            for (key, object) in state.objects(resource, namespace: namespace) where filter.matches(object) {
                if Self.protection(resource, key.name) != nil { continue }
                results.append(deleteObject(object, resource, key: key, options: options, dryRun: dryRun, in: &state).object)
            }
            return results
        }
    }

    /// Why an object may never be deleted, if it is one of those: the node `local` and the
    /// namespaces every cluster has.
    static func protection(_ resource: ResourceType, _ name: String) -> String? {
        if resource == ResourceCatalog.nodes && name == LocalNode.name {
            return "the embedded cluster's own node cannot be deleted"
        }
        if resource == ResourceCatalog.namespaces && ["default", "kube-system", "kube-public"].contains(name) {
            return "this namespace may not be deleted"
        }
        return nil
    }

    /// The deletion decision for one object (preconditions already checked).
    func deleteObject(
        _ current: JSONValue, _ resource: ResourceType, key: ObjectKey, options: DeleteOptions, dryRun: Bool,
        in state: inout StoreState
    ) -> DeleteOutcome {
        let grace = gracePeriod(of: current, resource, requested: options.gracePeriodSeconds)
        let holdsFinalizers = !current.finalizers.isEmpty
        if current.isBeingDeleted {
            // A repeated delete may only shorten a graceful termination.
            let remaining = current[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0
            guard grace < remaining else { return .pending(current) }
            var next = current
            markDeleted(&next, grace: grace)
            if dryRun { return .pending(next) }
            if Self.isReadyToRemove(next) {
                return .removed(removeNow(resource, key: key, final: next, policy: options.propagationPolicy, in: &state))
            }
            return .pending(state.put(resource, key, next))
        }
        if grace > 0 || holdsFinalizers {
            var next = current
            markDeleted(&next, grace: grace)
            if dryRun { return .pending(next) }
            return .pending(state.put(resource, key, next))
        }
        if dryRun { return .removed(current) }
        return .removed(removeNow(resource, key: key, final: current, policy: options.propagationPolicy, in: &state))
    }

    /// The grace period of a deletion: only bound, non-terminal pods terminate gracefully (the
    /// request's period, else the pod's, else 30 s); everything else goes at once.
    private func gracePeriod(of object: JSONValue, _ resource: ResourceType, requested: Int64?) -> Int64 {
        guard resource == ResourceCatalog.pods else { return 0 }
        let bound = !(object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
        let phase = object[path: ["status", "phase"]]?.stringValue ?? ""
        guard bound, phase != "Succeeded", phase != "Failed" else { return 0 }
        // At most a century: deadlines must stay representable as timestamps.
        return min(max(0, requested ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30), 3_155_760_000)
    }

    private func markDeleted(_ object: inout JSONValue, grace: Int64) {
        object.setMeta("deletionTimestamp", .string(RFC3339.string(from: time.now.addingTimeInterval(Double(grace)))))
        object.setMeta("deletionGracePeriodSeconds", .int(grace))
    }

    /// Removes an object for good and does what the control plane does then: a namespace takes
    /// its contents with it; dependents (by `ownerReferences`) are deleted, or orphaned under `Orphan`.
    @discardableResult
    func removeNow(
        _ resource: ResourceType, key: ObjectKey, final: JSONValue, policy: String?, in state: inout StoreState
    ) -> JSONValue {
        let removed = state.remove(resource, key, final: final)
        if resource == ResourceCatalog.namespaces {
            for contained in catalog.all where contained.isNamespaced {
                for (childKey, child) in state.objects(contained, namespace: key.name) {
                    removeNow(contained, key: childKey, final: child, policy: nil, in: &state)
                }
            }
        }
        collectDependents(of: final.uid, orphan: policy == "Orphan", in: &state)
        return removed
    }

    /// Deletes (or orphans) every object whose `ownerReferences` name `uid`.
    private func collectDependents(of uid: String, orphan: Bool, in state: inout StoreState) {
        guard !uid.isEmpty else { return }
        for resource in catalog.all {
            for (key, object) in state.objects(resource, namespace: nil) {
                let owners = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                guard owners.contains(where: { $0["uid"]?.stringValue == uid }) else { continue }
                if orphan {
                    var next = object
                    let kept = owners.filter { $0["uid"]?.stringValue != uid }
                    next.setMeta("ownerReferences", kept.isEmpty ? nil : .array(kept))
                    state.put(resource, key, next)
                } else if !object.isBeingDeleted {
                    _ = deleteObject(object, resource, key: key, options: DeleteOptions(), dryRun: false, in: &state)
                }
            }
        }
    }
}
