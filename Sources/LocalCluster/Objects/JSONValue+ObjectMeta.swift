import CubicleModel
import Foundation

/// Typed access to the `metadata` of an unstructured Kubernetes object.
extension JSONValue {
    /// `metadata.name`, or empty.
    var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }

    /// `metadata.namespace`, or empty.
    var namespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }

    /// `metadata.uid`, or empty.
    var uid: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }

    /// `metadata.resourceVersion`, or empty.
    var resourceVersion: String { self[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }

    /// `metadata.labels` as strings (non-string values are ignored).
    var labels: [String: String] {
        guard let members = self[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        return members.compactMapValues(\.stringValue)
    }

    /// `metadata.finalizers` as strings.
    var finalizers: [String] {
        self[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// True once `metadata.deletionTimestamp` is set.
    var isBeingDeleted: Bool { self[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil }

    /// `metadata.creationTimestamp` parsed, when present.
    var creationDate: Date? {
        self[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(RFC3339.date(from:))
    }

    /// Sets `metadata.<key>`, creating `metadata` when absent; nil removes the key.
    mutating func setMeta(_ key: String, _ value: JSONValue?) {
        if self["metadata"]?.objectValue == nil { self["metadata"] = .object([:]) }
        set(path: ["metadata", key], to: value)
    }

    /// The object with `metadata.managedFields` removed, for comparisons that ignore bookkeeping.
    var withoutManagedFields: JSONValue {
        var copy = self
        copy.setMeta("managedFields", nil)
        return copy
    }

    /// Everything outside `metadata` and `status`: what `generation` tracks.
    var specContent: JSONValue {
        guard var members = objectValue else { return self }
        members["metadata"] = nil
        members["status"] = nil
        members["apiVersion"] = nil
        members["kind"] = nil
        return .object(members)
    }
}

/// Where an object lives inside one resource: its namespace (empty for cluster-scoped kinds)
/// and name. Ordered the way etcd keys sort, which is the order lists are returned in.
struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    let namespace: String
    let name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// `namespace/name` or `name`.
    var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}
