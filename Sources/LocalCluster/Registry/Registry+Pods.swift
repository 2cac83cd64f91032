import CubicleModel
import Foundation

/// The pod operations a scheduler and kubelet perform: binding, status, finishing deletion, events.
extension Registry {
    /// Binds pod `name` to `node` (sets `spec.nodeName` and the PodScheduled condition); 409 when
    /// it is already bound elsewhere.
    @discardableResult
    func bind(namespace: String, name: String, node: String, context: WriteContext) throws(LocalClusterError) -> JSONValue {
        let pods = ResourceCatalog.pods
        let key = Self.key(pods, namespace: namespace, name: name)
        return try store.write { state throws(LocalClusterError) in
            guard let current = state.object(pods, key) else { throw .notFound(pods, name) }
            let assigned = current[path: ["spec", "nodeName"]]?.stringValue ?? ""
            if assigned == node { return current }
            if !assigned.isEmpty {
                throw .conflict(pods, name, reason: "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            if current.isBeingDeleted { throw .conflict(pods, name, reason: "pod \(name) is being deleted, cannot be assigned to a host") }
            var next = current
            next.set(path: ["spec", "nodeName"], to: .string(node))
            var status = next["status"] ?? .object([:])
            Self.setCondition(&status, type: "PodScheduled", status: "True", time: timestamp)
            next["status"] = status
            if context.dryRun { return next }
            let managed = ManagedFields.recordUpdate(
                old: current, new: next, entries: ManagedFields.entries(of: current), manager: context.manager,
                subresource: nil, apiVersion: pods.apiVersion, time: timestamp
            )
            ManagedFields.store(managed, in: &next)
            return state.put(pods, key, next)
        }
    }

    /// Replaces the status of pod `name` (optionally only if its uid is `uid`).
    @discardableResult
    func updatePodStatus(
        namespace: String, name: String, uid: String?, status: JSONValue, context: WriteContext
    ) throws(LocalClusterError) -> JSONValue {
        let pods = ResourceCatalog.pods
        let key = Self.key(pods, namespace: namespace, name: name)
        return try store.write { state throws(LocalClusterError) in
            guard let current = state.object(pods, key) else { throw .notFound(pods, name) }
            if let uid, uid != current.uid {
                throw .conflict(pods, name, reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            var proposed = current
            proposed["status"] = status
            return try commitUpdate(
                proposed, current: current, pods, key: key, statusOnly: true, entries: nil, context: context, in: &state
            )
        }
    }

    /// Ends a pod's graceful termination (the kubelet has stopped it): the pod is removed, or —
    /// while finalizers remain — kept with a zero grace period until they are gone. Pods not
    /// being deleted are deleted now.
    func finishPodDeletion(namespace: String, name: String, uid: String?) throws(LocalClusterError) {
        let pods = ResourceCatalog.pods
        let key = Self.key(pods, namespace: namespace, name: name)
        try store.write { state throws(LocalClusterError) in
            guard let current = state.object(pods, key) else { throw .notFound(pods, name) }
            if let uid, uid != current.uid {
                throw .conflict(pods, name, reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            var next = current
            if !next.isBeingDeleted { next.setMeta("deletionTimestamp", .string(timestamp)) }
            next.setMeta("deletionGracePeriodSeconds", 0)
            if Self.isReadyToRemove(next) {
                removeNow(pods, key: key, final: next, policy: nil, in: &state)
            } else if next != current {
                state.put(pods, key, next)
            }
        }
    }

    /// Records an Event about `object`, folding repeats (same object, reason, message) into a count.
    @discardableResult
    func recordEvent(
        about object: JSONValue, resource: ResourceType, type: String, reason: String, message: String,
        fieldPath: String?, component: String, host: String
    ) throws(LocalClusterError) -> JSONValue {
        let events = ResourceCatalog.events
        let namespace = object.namespace.isEmpty ? "default" : object.namespace
        let now = timestamp
        return try store.write { state throws(LocalClusterError) in
            try requireNamespace(events, namespace, in: state)
            pruneExpiredEvents(namespace: namespace, in: &state)
            let existing = state.firstObject(events, namespace: namespace) { event in
                event[path: ["involvedObject", "uid"]]?.stringValue == object.uid && event["reason"]?.stringValue == reason
                    && event["message"]?.stringValue == message
                    && event[path: ["involvedObject", "fieldPath"]]?.stringValue == fieldPath
            }
            if case let (key, event)? = existing {
                var next = event
                next["count"] = .int((event["count"]?.intValue ?? 1) + 1)
                next["lastTimestamp"] = .string(now)
                return state.put(events, key, next)
            }
            var involved: [String: JSONValue] = [
                "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion), "name": .string(object.name),
                "uid": .string(object.uid), "resourceVersion": .string(object.resourceVersion),
            ]
            if !object.namespace.isEmpty { involved["namespace"] = .string(object.namespace) }
            if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
            let name = "\(object.name).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
            var metadata = systemMetadata(name: name, namespace: namespace, now: now)
            metadata["generation"] = 1
            let event: JSONValue = [
                "apiVersion": "v1", "kind": "Event", "metadata": metadata,
                "involvedObject": .object(involved), "reason": .string(reason), "message": .string(message),
                "type": .string(type), "count": 1, "firstTimestamp": .string(now), "lastTimestamp": .string(now),
                "source": ["component": .string(component), "host": .string(host)],
                "reportingComponent": .string(component), "reportingInstance": .string(host),
            ]
            return state.put(events, ObjectKey(namespace: namespace, name: name), event)
        }
    }

    /// Sets condition `type` in a status, keeping its transition time when the status is unchanged.
    static func setCondition(_ status: inout JSONValue, type: String, status value: String, time: String) {
        var conditions = status["conditions"]?.arrayValue ?? []
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[index]["status"]?.stringValue == value { return }
            conditions[index]["status"] = .string(value)
            conditions[index]["lastTransitionTime"] = .string(time)
        } else {
            conditions.append(["type": .string(type), "status": .string(value), "lastProbeTime": .null, "lastTransitionTime": .string(time)])
        }
        status["conditions"] = .array(conditions)
    }
}
