import CubicleModel

/// How the one request path turns documents into the caller's object type: a `KubeObject` or a
/// plain `JSONValue`. This is the only thing the typed and unstructured APIs do differently.
struct ObjectCoding<Object: Sendable>: Sendable {
    /// The resource addressed.
    let resource: ResourceType
    /// Converts a document (an object from a response, list or watch event) to `Object`.
    let decode: @Sendable (JSONValue) throws -> Object
    /// The object's `metadata.resourceVersion`.
    let resourceVersion: @Sendable (Object) -> String?
}

extension ObjectCoding where Object: KubeObject {
    /// Typed objects of `Object.resourceType`.
    static var typed: ObjectCoding<Object> {
        ObjectCoding(
            resource: Object.resourceType,
            decode: { try KubeCodec.object(Object.self, from: $0, context: "\(Object.resourceType.kind)") },
            resourceVersion: { $0.metadata.resourceVersion })
    }
}

extension ObjectCoding where Object == JSONValue {
    /// Unstructured documents of `resource`.
    static func unstructured(_ resource: ResourceType) -> ObjectCoding<JSONValue> {
        ObjectCoding(
            resource: resource,
            decode: { document in
                guard document.objectValue != nil else {
                    throw KubeError(code: .internalError, message: "the Kubernetes API answered with a non-object \(resource.kind)")
                }
                return document
            },
            resourceVersion: { $0[path: ["metadata", "resourceVersion"]]?.stringValue })
    }
}
