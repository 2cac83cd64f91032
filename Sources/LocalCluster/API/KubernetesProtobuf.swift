import CubicleModel
import Foundation

/// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
/// kubectl's typed commands send (`create configmap|secret|namespace|serviceaccount|token`):
/// the `k8s\0` envelope around a `runtime.Unknown`, whose raw bytes are decoded into JSON with the
/// field tables in `ProtobufSchemas`. Kinds without a table get 415 (clients can send JSON);
/// responses are always JSON, which those clients also accept.
enum KubernetesProtobuf {
    /// The media type.
    static let mediaType = "application/vnd.kubernetes.protobuf"

    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// True when `contentType` names the protobuf encoding.
    static func isProtobuf(_ contentType: String?) -> Bool {
        (contentType ?? "").lowercased().hasPrefix(mediaType)
    }

    /// Decodes an enveloped object into its JSON form.
    static func decode(_ bytes: [UInt8]) throws(LocalClusterError) -> JSONValue {
        guard bytes.count >= magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw .badRequest("the protobuf body does not start with the Kubernetes envelope")
        }
        let envelope: JSONValue
        do throws(ProtobufError) {
            var reader = ProtobufReader(bytes.dropFirst(magic.count))
            envelope = try reader.message(ProtobufSchemas.unknown)
        } catch {
            throw .badRequest("the protobuf body is malformed: \(error.reason)")
        }
        let apiVersion = envelope[path: ["typeMeta", "apiVersion"]]?.stringValue ?? ""
        let kind = envelope[path: ["typeMeta", "kind"]]?.stringValue ?? ""
        guard let schema = ProtobufSchemas.kinds["\(apiVersion)/\(kind)"] else {
            throw .unsupportedMediaType(mediaType, accepted: ["application/json", "application/yaml", "\(mediaType) (only for \(ProtobufSchemas.supportedKinds))"])
        }
        let raw = envelope["raw"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
        var object: JSONValue
        do throws(ProtobufError) {
            var reader = ProtobufReader(raw[...])
            object = try reader.message(schema)
        } catch {
            throw .badRequest("the protobuf \(kind) is malformed: \(error.reason)")
        }
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }
}

/// A failure to read protobuf bytes.
struct ProtobufError: Error {
    let reason: String
}

/// A schema-driven reader of the protobuf wire format.
struct ProtobufReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// Reads every field of a message of `schema` into a JSON object (unknown fields skipped).
    mutating func message(_ schema: ProtobufMessage) throws(ProtobufError) -> JSONValue {
        var members: [String: JSONValue] = [:]
        while !bytes.isEmpty {
            let tag = try varint()
            let number = Int(tag >> 3)
            let wireType = Int(tag & 7)
            guard let field = schema.fields[number] else {
                try skip(wireType)
                continue
            }
            switch field.type {
            case .map(let valueType):
                let entry = try nested(wireType)
                var reader = ProtobufReader(entry[...])
                let pair = try reader.message(ProtobufMessage([1: .init("key", .string), 2: .init("value", valueType)]))
                var map = members[field.name]?.objectValue ?? [:]
                map[pair["key"]?.stringValue ?? ""] = pair["value"] ?? Self.zero(valueType)
                members[field.name] = .object(map)
            default:
                let value = try scalar(field.type, wireType: wireType)
                // Go writes unset optional strings and times as zero values; JSON omits them.
                if !field.repeated, value == "" || (field.type == .time && value == Self.epoch) { continue }
                if field.repeated {
                    members[field.name] = .array((members[field.name]?.arrayValue ?? []) + [value])
                } else {
                    members[field.name] = value
                }
            }
        }
        return .object(members)
    }

    private mutating func scalar(_ type: ProtobufType, wireType: Int) throws(ProtobufError) -> JSONValue {
        switch type {
        case .string:
            guard let text = String(validating: try nested(wireType), as: UTF8.self) else {
                throw ProtobufError(reason: "a string is not valid UTF-8")
            }
            return .string(text)
        case .bytes:
            return .string(Data(try nested(wireType)).base64EncodedString())
        case .int64, .int32:
            guard wireType == 0 else { throw ProtobufError(reason: "an integer has wire type \(wireType)") }
            let value = Int64(bitPattern: try varint())
            return .int(type == .int32 ? Int64(Int32(truncatingIfNeeded: value)) : value)
        case .bool:
            guard wireType == 0 else { throw ProtobufError(reason: "a bool has wire type \(wireType)") }
            return .bool(try varint() != 0)
        case .time:
            var reader = ProtobufReader(try nested(wireType)[...])
            let time = try reader.message(ProtobufSchemas.time)
            // Clamped to years 0001–9999, the range RFC 3339 timestamps can express.
            let seconds = min(max(time["seconds"]?.intValue ?? 0, -62_135_596_800), 253_402_300_799)
            return .string(RFC3339.string(from: Date(timeIntervalSince1970: Double(seconds))))
        case .message(let schema):
            var reader = ProtobufReader(try nested(wireType)[...])
            return try reader.message(schema)
        case .map:
            throw ProtobufError(reason: "a map cannot be a scalar")
        }
    }

    private static let epoch = JSONValue.string(RFC3339.string(from: Date(timeIntervalSince1970: 0)))

    private static func zero(_ type: ProtobufType) -> JSONValue {
        switch type {
        case .string, .bytes, .time: ""
        case .int64, .int32: 0
        case .bool: false
        case .message, .map: [:]
        }
    }

    private mutating func nested(_ wireType: Int) throws(ProtobufError) -> [UInt8] {
        guard wireType == 2 else { throw ProtobufError(reason: "expected a length-delimited field, got wire type \(wireType)") }
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw ProtobufError(reason: "a field is longer than the message") }
        let value = Array(bytes.prefix(Int(length)))
        bytes = bytes.dropFirst(Int(length))
        return value
    }

    private mutating func skip(_ wireType: Int) throws(ProtobufError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try drop(8)
        case 2: _ = try nested(2)
        case 5: try drop(4)
        default: throw ProtobufError(reason: "unsupported wire type \(wireType)")
        }
    }

    private mutating func drop(_ count: Int) throws(ProtobufError) {
        guard bytes.count >= count else { throw ProtobufError(reason: "truncated fixed-size field") }
        bytes = bytes.dropFirst(count)
    }

    private mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift >= 64 { throw ProtobufError(reason: "a varint is too long") }
        }
        throw ProtobufError(reason: "truncated varint")
    }
}
