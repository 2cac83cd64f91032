/// Metadata every persisted Kubernetes object carries (`metav1.ObjectMeta`).
public struct ObjectMeta: Codable, Hashable, Sendable {
    /// The object's name, unique per kind and namespace.
    public var name: String?
    /// A prefix the server completes into a unique name when `name` is empty.
    public var generateName: String?
    /// The namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// The server-assigned unique id.
    public var uid: String?
    /// The opaque version used for optimistic concurrency and watches.
    public var resourceVersion: String?
    /// The sequence number of spec changes.
    public var generation: Int?
    /// When the object was created.
    public var creationTimestamp: KubeTime?
    /// When graceful deletion began; set means the object is going away.
    public var deletionTimestamp: KubeTime?
    /// The grace period of a pending deletion.
    public var deletionGracePeriodSeconds: Int?
    /// Identifying key/value pairs used by selectors.
    public var labels: [String: String]?
    /// Non-identifying key/value pairs.
    public var annotations: [String: String]?
    /// Keys that must be removed before the object is deleted.
    public var finalizers: [String]?
    /// Objects this one depends on, for garbage collection.
    public var ownerReferences: [OwnerReference]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String? = nil,
        generateName: String? = nil,
        namespace: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        generation: Int? = nil,
        creationTimestamp: KubeTime? = nil,
        deletionTimestamp: KubeTime? = nil,
        deletionGracePeriodSeconds: Int? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        finalizers: [String]? = nil,
        ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.finalizers = finalizers
        self.ownerReferences = ownerReferences
    }
}

/// A reference from a dependent object to its owner.
public struct OwnerReference: Codable, Hashable, Sendable {
    /// The owner's API version.
    public var apiVersion: String = ""
    /// The owner's kind.
    public var kind: String = ""
    /// The owner's name.
    public var name: String = ""
    /// The owner's uid.
    public var uid: String = ""
    /// True if the owner is the managing controller.
    public var controller: Bool?
    /// True if the owner cannot be deleted before this object.
    public var blockOwnerDeletion: Bool?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String = "",
        kind: String = "",
        name: String = "",
        uid: String = "",
        controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case name
        case uid
        case controller
        case blockOwnerDeletion
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        uid = try container.decodeIfPresent(String.self, forKey: .uid) ?? ""
        controller = try container.decodeIfPresent(Bool.self, forKey: .controller)
        blockOwnerDeletion = try container.decodeIfPresent(Bool.self, forKey: .blockOwnerDeletion)
    }
}

/// Metadata of a list response (`metav1.ListMeta`).
public struct ListMeta: Codable, Hashable, Sendable {
    /// The collection's resource version, the starting point for a watch.
    public var resourceVersion: String?
    /// The token that fetches the next page, when there is one.
    public var continueToken: String?
    /// An estimate of the items left after this page.
    public var remainingItemCount: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        resourceVersion: String? = nil,
        continueToken: String? = nil,
        remainingItemCount: Int? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }

    enum CodingKeys: String, CodingKey {
        case resourceVersion
        case continueToken = "continue"
        case remainingItemCount
    }
}
