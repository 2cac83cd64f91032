/// A reference to another object (`core/v1.ObjectReference`).
public struct ObjectReference: Codable, Hashable, Sendable {
    /// The referent's kind.
    public var kind: String?
    /// The referent's namespace.
    public var namespace: String?
    /// The referent's name.
    public var name: String?
    /// The referent's uid.
    public var uid: String?
    /// The referent's API version.
    public var apiVersion: String?
    /// The referent's resource version.
    public var resourceVersion: String?
    /// The part of the referent meant, e.g. `spec.containers{sshd}`.
    public var fieldPath: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        kind: String? = nil,
        namespace: String? = nil,
        name: String? = nil,
        uid: String? = nil,
        apiVersion: String? = nil,
        resourceVersion: String? = nil,
        fieldPath: String? = nil
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }
}

/// A reference to an object by name in the same namespace.
public struct LocalObjectReference: Codable, Hashable, Sendable {
    /// The referent's name.
    public var name: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(name: String? = nil) {
        self.name = name
    }
}
