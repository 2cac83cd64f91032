/// A typed Kubernetes object that names its resource, so the client can address it.
public protocol KubeObject: Codable, Sendable, Equatable {
    /// Where objects of this type live in the REST API.
    static var resourceType: ResourceType { get }
    /// Standard object metadata.
    var metadata: ObjectMeta { get set }
    /// The API version written into requests.
    var apiVersion: String? { get set }
    /// The kind written into requests.
    var kind: String? { get set }
    /// The document this value was decoded from; writes keep the fields the type does not model.
    var original: DecodedDocument { get set }
}
