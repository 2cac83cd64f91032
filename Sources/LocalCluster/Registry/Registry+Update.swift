import CubicleModel
import Foundation

extension Registry {
    /// Replaces object `name` (PUT): a body `resourceVersion` other than the stored one is 409; an
    /// absent one is unconditional. Through `status`, only the status changes; otherwise status is kept.
    func update(
        _ resource: ResourceType, namespace: String, name: String, body: JSONValue, statusOnly: Bool,
        context: WriteContext
    ) throws(LocalClusterError) -> JSONValue {
        let incoming = try normalize(body, resource, namespace: namespace, name: name)
        let key = Self.key(resource, namespace: namespace, name: name)
        return try store.write { state throws(LocalClusterError) in
            guard let current = state.object(resource, key) else { throw .notFound(resource, name) }
            let version = incoming.resourceVersion
            if !version.isEmpty && version != current.resourceVersion { throw .conflict(resource, name) }
            let proposed = Self.scoped(incoming, current: current, resource: resource, statusOnly: statusOnly)
            return try commitUpdate(
                proposed, current: current, resource, key: key, statusOnly: statusOnly, entries: nil, context: context,
                in: &state
            )
        }
    }

    /// `proposed` restricted to what the endpoint may change: only `status` through the status
    /// subresource, everything but `status` through the main resource of kinds that have one.
    static func scoped(_ proposed: JSONValue, current: JSONValue, resource: ResourceType, statusOnly: Bool) -> JSONValue {
        if statusOnly {
            var next = current
            next["status"] = proposed["status"]
            return next
        }
        guard resource.hasStatus else { return proposed }
        var next = proposed
        next["status"] = current["status"]
        return next
    }

    /// The update path shared by PUT, patches and apply: keeps system metadata, defaults and
    /// validates, bumps `generation` on spec changes, records field ownership, skips no-op
    /// writes, and removes an object whose deletion was only waiting for its finalizers.
    func commitUpdate(
        _ proposed: JSONValue, current: JSONValue, _ resource: ResourceType, key: ObjectKey, statusOnly: Bool,
        entries: [ManagedFieldsEntry]?, context: WriteContext, in state: inout StoreState
    ) throws(LocalClusterError) -> JSONValue {
        var next = proposed
        let givenUID = next.uid
        if !givenUID.isEmpty && givenUID != current.uid {
            throw .conflict(
                resource, key.name,
                reason: "Precondition failed: UID in precondition: \(givenUID), UID in object meta: \(current.uid)"
            )
        }
        if next.name != current.name || next.namespace != current.namespace {
            throw .badRequest("metadata.name and metadata.namespace cannot be changed")
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"] {
            next.setMeta(field, current[path: ["metadata", field]])
        }
        next["kind"] = .string(resource.kind)
        next["apiVersion"] = .string(resource.apiVersion)
        resource.strategy.applyDefaults(&next)

        var errors = validationErrors(next, resource, old: current)
        if current.isBeingDeleted {
            let added = next.finalizers.filter { !current.finalizers.contains($0) }
            if !added.isEmpty {
                errors.append(
                    .forbidden(
                        "metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers \(added)"
                    )
                )
            }
        }
        if !errors.isEmpty { throw .invalid(resource, key.name, errors) }

        if next.specContent != current.specContent {
            next.setMeta("generation", .int((current[path: ["metadata", "generation"]]?.intValue ?? 0) + 1))
        }
        let managed = entries
            ?? ManagedFields.recordUpdate(
                old: current, new: next, entries: ManagedFields.entries(of: current), manager: context.manager,
                subresource: statusOnly ? "status" : nil, apiVersion: resource.apiVersion, time: timestamp
            )
        ManagedFields.store(managed, in: &next)
        if next == current { return current }
        if context.dryRun { return next }
        if Self.isReadyToRemove(next) {
            return removeNow(resource, key: key, final: next, policy: nil, in: &state)
        }
        return state.put(resource, key, next)
    }

    /// True for an object being deleted that nothing holds any longer: no finalizers and no
    /// graceful termination in progress.
    static func isReadyToRemove(_ object: JSONValue) -> Bool {
        object.isBeingDeleted && object.finalizers.isEmpty
            && (object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) == 0
    }
}
