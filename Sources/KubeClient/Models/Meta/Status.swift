/// The apiserver's answer for failures and for some deletions (`metav1.Status`).
public struct Status: Codable, Hashable, Sendable {
    /// The API version, `v1`.
    public var apiVersion: String?
    /// The kind, `Status`.
    public var kind: String?
    /// List metadata (mostly empty).
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    /// A human-readable description.
    public var message: String?
    /// A machine-readable CamelCase reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`.
    public var reason: String?
    /// Extra data about the reason.
    public var details: StatusDetails?
    /// The HTTP status code this status belongs to.
    public var code: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = nil,
        kind: String? = nil,
        metadata: ListMeta? = nil,
        status: String? = nil,
        message: String? = nil,
        reason: String? = nil,
        details: StatusDetails? = nil,
        code: Int? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// Extra data about a failure.
public struct StatusDetails: Codable, Hashable, Sendable {
    /// The name of the object concerned.
    public var name: String?
    /// The API group of the object concerned.
    public var group: String?
    /// The kind of the object concerned.
    public var kind: String?
    /// The uid of the object concerned.
    public var uid: String?
    /// The individual problems, e.g. one per invalid field.
    public var causes: [StatusCause]?
    /// How long the client should wait before retrying.
    public var retryAfterSeconds: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        causes: [StatusCause]? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One reason behind a failure.
public struct StatusCause: Codable, Hashable, Sendable {
    /// A machine-readable reason, e.g. `FieldValueInvalid`.
    public var reason: String?
    /// A human-readable description.
    public var message: String?
    /// The field concerned, e.g. `metadata.name`.
    public var field: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
