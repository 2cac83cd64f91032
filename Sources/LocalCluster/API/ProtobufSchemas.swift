/// A protobuf field type, as far as the decoder needs to know it.
indirect enum ProtobufType: Sendable, Equatable {
    case string, bytes, int64, int32, bool
    /// `meta/v1.Time`, rendered as RFC 3339.
    case time
    case message(ProtobufMessage)
    /// `map<string, V>`.
    case map(ProtobufType)
}

/// One field: its JSON name and type.
struct ProtobufField: Sendable, Equatable {
    let name: String
    let type: ProtobufType
    let repeated: Bool

    init(_ name: String, _ type: ProtobufType, repeated: Bool = false) {
        self.name = name
        self.type = type
        self.repeated = repeated
    }
}

/// A message: fields by number.
struct ProtobufMessage: Sendable, Equatable {
    let fields: [Int: ProtobufField]

    init(_ fields: [Int: ProtobufField]) { self.fields = fields }
}

/// Field tables of the kinds kubectl's typed commands send as protobuf, from the `generated.proto`
/// files of k8s.io/api and k8s.io/apimachinery.
enum ProtobufSchemas {
    static let unknown = ProtobufMessage([
        1: .init("typeMeta", .message(ProtobufMessage([1: .init("apiVersion", .string), 2: .init("kind", .string)]))),
        2: .init("raw", .bytes), 3: .init("contentEncoding", .string), 4: .init("contentType", .string),
    ])

    static let time = ProtobufMessage([1: .init("seconds", .int64), 2: .init("nanos", .int32)])

    static let ownerReference = ProtobufMessage([
        5: .init("apiVersion", .string), 1: .init("kind", .string), 3: .init("name", .string), 4: .init("uid", .string),
        6: .init("controller", .bool), 7: .init("blockOwnerDeletion", .bool),
    ])

    static let objectMeta = ProtobufMessage([
        1: .init("name", .string), 2: .init("generateName", .string), 3: .init("namespace", .string),
        4: .init("selfLink", .string), 5: .init("uid", .string), 6: .init("resourceVersion", .string),
        7: .init("generation", .int64), 8: .init("creationTimestamp", .time), 9: .init("deletionTimestamp", .time),
        10: .init("deletionGracePeriodSeconds", .int64), 11: .init("labels", .map(.string)),
        12: .init("annotations", .map(.string)), 13: .init("ownerReferences", .message(ownerReference), repeated: true),
        14: .init("finalizers", .string, repeated: true),
    ])

    static let objectReference = ProtobufMessage([
        1: .init("kind", .string), 2: .init("namespace", .string), 3: .init("name", .string), 4: .init("uid", .string),
        5: .init("apiVersion", .string), 6: .init("resourceVersion", .string), 7: .init("fieldPath", .string),
    ])

    static let configMap = ProtobufMessage([
        1: .init("metadata", .message(objectMeta)), 2: .init("data", .map(.string)), 3: .init("binaryData", .map(.bytes)),
        4: .init("immutable", .bool),
    ])

    static let secret = ProtobufMessage([
        1: .init("metadata", .message(objectMeta)), 2: .init("data", .map(.bytes)), 3: .init("type", .string),
        4: .init("stringData", .map(.string)), 5: .init("immutable", .bool),
    ])

    static let namespace = ProtobufMessage([
        1: .init("metadata", .message(objectMeta)),
        2: .init("spec", .message(ProtobufMessage([1: .init("finalizers", .string, repeated: true)]))),
        3: .init("status", .message(ProtobufMessage([1: .init("phase", .string)]))),
    ])

    static let serviceAccount = ProtobufMessage([
        1: .init("metadata", .message(objectMeta)), 2: .init("secrets", .message(objectReference), repeated: true),
        3: .init("imagePullSecrets", .message(ProtobufMessage([1: .init("name", .string)])), repeated: true),
        4: .init("automountServiceAccountToken", .bool),
    ])

    static let tokenRequest = ProtobufMessage([
        1: .init("metadata", .message(objectMeta)),
        2: .init("spec", .message(ProtobufMessage([
            1: .init("audiences", .string, repeated: true), 4: .init("expirationSeconds", .int64),
            3: .init("boundObjectRef", .message(ProtobufMessage([
                1: .init("kind", .string), 2: .init("apiVersion", .string), 3: .init("name", .string), 4: .init("uid", .string),
            ]))),
        ]))),
    ])

    /// Schemas by `apiVersion/kind`.
    static let kinds: [String: ProtobufMessage] = [
        "v1/ConfigMap": configMap, "v1/Secret": secret, "v1/Namespace": namespace, "v1/ServiceAccount": serviceAccount,
        "authentication.k8s.io/v1/TokenRequest": tokenRequest,
    ]

    /// The kinds above, for error messages.
    static let supportedKinds = "ConfigMap, Secret, Namespace, ServiceAccount, TokenRequest"
}
