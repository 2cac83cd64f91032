import CubicleModel

/// One event of a watch stream.
public enum WatchEvent<Object: Sendable>: Sendable {
    /// An object appeared (or existed when the watch started without a resourceVersion).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted; carries its last state.
    case deleted(Object)
    /// No change, but the collection reached this resourceVersion: a fresher resume point.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a failure; code 410 means the start version expired.
    case error(Status)

    /// The object of an ADDED, MODIFIED or DELETED event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        case .bookmark, .error: nil
        }
    }

    /// The wire name of the event type.
    public var typeName: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        case .error: "ERROR"
        }
    }
}

extension WatchEvent: Equatable where Object: Equatable {}

extension WatchEvent {
    /// Decodes one event line `{"type": …, "object": …}` with `decode` for the object.
    static func decode(line: [UInt8], decode: (JSONValue) throws -> Object) throws -> WatchEvent<Object> {
        let document = try KubeCodec.parse(line, context: "a watch event")
        guard let type = document["type"]?.stringValue, let object = document["object"] else {
            throw KubeError(code: .internalError, message: "a watch event without type or object")
        }
        switch type {
        case "ADDED": return .added(try decode(object))
        case "MODIFIED": return .modified(try decode(object))
        case "DELETED": return .deleted(try decode(object))
        case "BOOKMARK":
            return .bookmark(resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
        case "ERROR":
            return .error(try KubeCodec.decode(Status.self, from: object.serialized(), context: "a watch ERROR status"))
        default:
            throw KubeError(code: .internalError, message: "a watch event of unknown type \(type)")
        }
    }
}
