import CubicleModel
import Foundation
import Synchronization

/// The API semantics over the object store, independent of HTTP: get, list, watch, create,
/// update, patch, apply and delete with Kubernetes' metadata, validation, preconditions,
/// finalizers and graceful pod deletion. The HTTP layer and the in-process kubelet API both call it.
final class Registry: Sendable {
    let store: ObjectStore
    let catalog: ResourceCatalog
    let time: any TimeSource
    /// The cluster CA (PEM), published in every namespace as `kube-root-ca.crt`.
    let rootCertificatePEM: String
    /// When each namespace's Events were last pruned.
    let lastEventPrune = Mutex<[String: Date]>([:])

    init(store: ObjectStore, catalog: ResourceCatalog, time: any TimeSource, rootCertificatePEM: String) {
        self.store = store
        self.catalog = catalog
        self.time = time
        self.rootCertificatePEM = rootCertificatePEM
    }

    /// The current time as `metadata` timestamps write it.
    var timestamp: String { RFC3339.string(from: time.now) }

    /// The object `name` of `resource` in `namespace`.
    func get(_ resource: ResourceType, namespace: String, name: String) throws(LocalClusterError) -> JSONValue {
        let key = Self.key(resource, namespace: namespace, name: name)
        return try store.read { state throws(LocalClusterError) in
            guard let object = state.object(resource, key) else { throw .notFound(resource, name) }
            return object
        }
    }

    /// One page of `resource` in `namespace` (nil: all namespaces) selected by `options`.
    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) throws(LocalClusterError) -> ListPage {
        let filter = ObjectFilter(resource: resource, namespace: namespace, labels: options.labels, fields: options.fields)
        var token: ContinueToken?
        if let text = options.continueToken, !text.isEmpty { token = try ContinueToken(encoded: text) }
        let exact = try exactVersion(options)
        return try store.read { state throws(LocalClusterError) in
            let version = token?.resourceVersion ?? exact ?? state.resourceVersion
            let all: [(key: ObjectKey, object: JSONValue)]
            if version == state.resourceVersion {
                all = state.objects(resource, namespace: namespace)
            } else if token != nil {
                all = try state.objects(resource, namespace: namespace, at: version)
            } else {
                do {
                    all = try state.objects(resource, namespace: namespace, at: version)
                } catch {
                    throw .expired(requested: version, oldest: state.compactedRevision)
                }
            }
            var selected = all.filter { entry in
                guard filter.matches(entry.object) else { return false }
                return token.map { entry.key > $0.after } ?? true
            }
            var page = ListPage(items: [], resourceVersion: version)
            if let limit = options.limit, limit > 0, selected.count > limit {
                let rest = selected.count - limit
                selected = Array(selected.prefix(limit))
                if let last = selected.last {
                    page.continueToken = ContinueToken(resourceVersion: version, after: last.key).encoded
                }
                if options.labels.isEmpty && options.fields.isEmpty { page.remainingItemCount = rest }
            }
            page.items = selected.map(\.object)
            return page
        }
    }

    /// Opens a watch of `resource` in `namespace` (nil: all) from the start `resourceVersion` asks for.
    func watch(
        _ resource: ResourceType, namespace: String?, options: ListOptions, sendInitialEvents: Bool
    ) throws(LocalClusterError) -> WatchSubscription {
        let filter = ObjectFilter(resource: resource, namespace: namespace, labels: options.labels, fields: options.fields)
        let start: WatchStart
        if sendInitialEvents {
            start = .currentStateThenBookmark
        } else if let text = options.resourceVersion, !text.isEmpty, text != "0" {
            guard let version = Int64(text), version >= 0 else {
                throw .badRequest("resourceVersion: Invalid value: \"\(text)\": must be an integer")
            }
            start = .after(version)
        } else {
            start = .currentState
        }
        return store.watch(filter, from: start)
    }

    /// The exact snapshot version a list asks for (`resourceVersionMatch=Exact`), if any.
    private func exactVersion(_ options: ListOptions) throws(LocalClusterError) -> Int64? {
        guard let text = options.resourceVersion, !text.isEmpty, text != "0" else { return nil }
        guard let version = Int64(text), version > 0 else {
            throw .badRequest("resourceVersion: Invalid value: \"\(text)\": must be an integer")
        }
        return options.resourceVersionMatch == "Exact" ? version : nil
    }

    /// The store key of an object.
    static func key(_ resource: ResourceType, namespace: String, name: String) -> ObjectKey {
        ObjectKey(namespace: resource.isNamespaced ? namespace : "", name: name)
    }

    /// Throws 404 `namespaces "x" not found` when a namespaced write targets a missing namespace.
    func requireNamespace(_ resource: ResourceType, _ namespace: String, in state: StoreState) throws(LocalClusterError) {
        guard resource.isNamespaced else { return }
        if namespace.isEmpty { throw .badRequest("a namespace is required for \(resource.plural)") }
        guard state.namespaceExists(namespace) else { throw .notFound(ResourceCatalog.namespaces, namespace) }
    }

    /// Checks the kind, apiVersion, name and namespace of a request body against the URL and
    /// fills what the body leaves out; 400 for mismatches and non-objects.
    func normalize(
        _ body: JSONValue, _ resource: ResourceType, namespace: String, name: String?
    ) throws(LocalClusterError) -> JSONValue {
        guard var object = body.objectValue.map(JSONValue.object) else {
            throw .badRequest("the request body must be a JSON object")
        }
        if let kind = object["kind"], kind.stringValue != resource.kind {
            throw .badRequest("the kind in the request body (\(kind.stringValue ?? "?")) does not match the resource \(resource.qualifiedPlural) (\(resource.kind))")
        }
        if let apiVersion = object["apiVersion"], apiVersion.stringValue != resource.apiVersion {
            throw .badRequest("the API version in the data (\(apiVersion.stringValue ?? "?")) does not match the expected API version (\(resource.apiVersion))")
        }
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        if let metadata = object["metadata"], metadata.objectValue == nil, !metadata.isNull {
            throw .badRequest("metadata must be a JSON object")
        }
        if object["metadata"]?.objectValue == nil { object["metadata"] = .object([:]) }
        if resource.isNamespaced {
            let given = object.namespace
            if !given.isEmpty && given != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.setMeta("namespace", .string(namespace))
        } else {
            object.setMeta("namespace", nil)
        }
        if let name {
            let given = object.name
            if !given.isEmpty && given != name {
                throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
            }
            object.setMeta("name", .string(name))
        }
        return object
    }

    /// Name, label and kind-specific errors of `object` about to be stored (`old` on update).
    func validationErrors(_ object: JSONValue, _ resource: ResourceType, old: JSONValue?) -> [FieldError] {
        var errors = Names.validate(object, rule: resource.nameRule) + Names.validateLabels(object)
        errors += resource.strategy.validate(object)
        if let old { errors += resource.strategy.validateUpdate(object, old: old) }
        return errors
    }
}
