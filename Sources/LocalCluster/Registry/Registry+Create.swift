import CubicleModel
import Foundation

extension Registry {
    /// Creates `body` as a `resource` in `namespace`: generated names, system metadata, defaults,
    /// validation (422), existence (409) and the namespace's presence (404).
    func create(
        _ resource: ResourceType, namespace: String, body: JSONValue, context: WriteContext
    ) throws(LocalClusterError) -> JSONValue {
        let object = try normalize(body, resource, namespace: namespace, name: nil)
        return try store.write { state throws(LocalClusterError) in
            try insert(object, resource, namespace: namespace, entries: nil, context: context, in: &state)
        }
    }

    /// The create path shared with server-side apply: `entries` are the managed fields apply
    /// computed (nil: the creator owns everything it sent).
    func insert(
        _ proposed: JSONValue, _ resource: ResourceType, namespace: String, entries: [ManagedFieldsEntry]?,
        context: WriteContext, in state: inout StoreState
    ) throws(LocalClusterError) -> JSONValue {
        try requireNamespace(resource, namespace, in: state)
        var object = proposed
        if object.name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            object.setMeta("name", .string(uniqueName(prefix: prefix, resource, namespace: namespace, in: state)))
        }
        let key = Self.key(resource, namespace: namespace, name: object.name)
        let now = timestamp
        for field in ["uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"] {
            object.setMeta(field, nil)
        }
        object.setMeta("uid", .string(UUID().uuidString.lowercased()))
        object.setMeta("creationTimestamp", .string(now))
        object.setMeta("generation", 1)
        if resource.hasStatus { object["status"] = nil }
        resource.strategy.applyDefaults(&object)
        resource.strategy.prepareForCreate(&object)
        let errors = validationErrors(object, resource, old: nil)
        if !errors.isEmpty { throw .invalid(resource, object.name, errors) }
        if state.object(resource, key) != nil { throw .alreadyExists(resource, object.name) }

        let managed = entries
            ?? ManagedFields.recordUpdate(
                old: nil, new: object, entries: [], manager: context.manager, subresource: nil,
                apiVersion: resource.apiVersion, time: now
            )
        ManagedFields.store(managed, in: &object)
        if context.dryRun { return object }
        let stored = state.put(resource, key, object)
        afterCreate(resource, stored, in: &state)
        return stored
    }

    /// `prefix` plus five random characters, unused in the namespace.
    private func uniqueName(prefix: String, _ resource: ResourceType, namespace: String, in state: StoreState) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = String(prefix.prefix(58))
        while true {
            let suffix = String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            let candidate = base + suffix
            if state.object(resource, Self.key(resource, namespace: namespace, name: candidate)) == nil { return candidate }
        }
    }

    /// What the control plane does when an object appears: a namespace gets its `default`
    /// ServiceAccount and the `kube-root-ca.crt` ConfigMap, as the real controllers create them.
    func afterCreate(_ resource: ResourceType, _ object: JSONValue, in state: inout StoreState) {
        if resource == ResourceCatalog.namespaces { seedNamespaceContents(object.name, in: &state) }
        if resource == ResourceCatalog.events { pruneExpiredEvents(namespace: object.namespace, in: &state) }
    }

    /// How long Events are kept after they were last seen, as the API server's `--event-ttl` default.
    static let eventTimeToLive: Double = 3600

    /// Removes the Events of `namespace` last seen more than `eventTimeToLive` ago; done when an
    /// Event is written (at most once a minute per namespace, so a burst of events does not
    /// rescan them all each time), so no timer is needed.
    func pruneExpiredEvents(namespace: String, in state: inout StoreState) {
        let now = time.now
        let due = lastEventPrune.withLock { last -> Bool in
            if let previous = last[namespace], now.timeIntervalSince(previous) < Self.eventPruneInterval, now >= previous { return false }
            last[namespace] = now
            return true
        }
        guard due else { return }
        let cutoff = now.addingTimeInterval(-Self.eventTimeToLive)
        let expired = state.objects(ResourceCatalog.events, namespace: namespace) { event in
            let seen = event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue
                ?? event[path: ["metadata", "creationTimestamp"]]?.stringValue
            guard let date = seen.flatMap(RFC3339.date(from:)) else { return false }
            return date < cutoff
        }
        for (key, event) in expired { state.remove(ResourceCatalog.events, key, final: event) }
    }

    /// The least time between two event prunes of one namespace.
    static let eventPruneInterval: Double = 60

    /// Creates the `default` ServiceAccount and `kube-root-ca.crt` in `namespace` when missing.
    func seedNamespaceContents(_ namespace: String, in state: inout StoreState) {
        let now = timestamp
        let serviceAccountKey = ObjectKey(namespace: namespace, name: "default")
        if state.object(ResourceCatalog.serviceAccounts, serviceAccountKey) == nil {
            state.put(
                ResourceCatalog.serviceAccounts, serviceAccountKey,
                [
                    "apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": systemMetadata(name: "default", namespace: namespace, now: now),
                ]
            )
        }
        let caKey = ObjectKey(namespace: namespace, name: "kube-root-ca.crt")
        if state.object(ResourceCatalog.configMaps, caKey) == nil {
            state.put(
                ResourceCatalog.configMaps, caKey,
                [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": systemMetadata(
                        name: "kube-root-ca.crt", namespace: namespace, now: now,
                        annotations: ["kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."]
                    ),
                    "data": ["ca.crt": .string(rootCertificatePEM)],
                ]
            )
        }
    }

    /// Metadata of an object the server creates itself.
    func systemMetadata(name: String, namespace: String?, now: String, annotations: [String: JSONValue] = [:]) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "name": .string(name), "uid": .string(UUID().uuidString.lowercased()), "creationTimestamp": .string(now),
        ]
        if let namespace { metadata["namespace"] = .string(namespace) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        return .object(metadata)
    }
}
