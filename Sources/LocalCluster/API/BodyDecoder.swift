import CubicleModel
import Yams

/// Request bodies as `JSONValue`: JSON, or YAML for `application/yaml` and apply patches. Any
/// failure is a 400 `BadRequest`; nothing a client sends can crash the decoder.
enum BodyDecoder {
    /// The most nodes a YAML document may expand to (aliases can multiply them).
    static let maximumYAMLNodes = 200_000

    /// Decodes `bytes` as JSON, or as YAML when `allowYAML` and the content is not JSON.
    static func decode(_ bytes: [UInt8], allowYAML: Bool) throws(LocalClusterError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw .badRequest("the request body is empty")
        }
        if let value = try? JSONValue.parse(bytes) { return value }
        guard allowYAML else { throw .badRequest("the request body is not valid JSON") }
        return try yaml(bytes)
    }

    private static func yaml(_ bytes: [UInt8]) throws(LocalClusterError) -> JSONValue {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the request body is not valid UTF-8")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .badRequest("error converting YAML to JSON: \(error)")
        }
        guard let node else { throw .badRequest("the request body is empty") }
        var budget = maximumYAMLNodes
        return try convert(node, budget: &budget)
    }

    private static func convert(_ node: Node, budget: inout Int) throws(LocalClusterError) -> JSONValue {
        budget -= 1
        if budget < 0 { throw .badRequest("the YAML document is too large once expanded") }
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw .badRequest("YAML mapping keys must be scalars") }
                members[keyScalar.string] = try convert(value, budget: &budget)
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try convert(element, budget: &budget)) }
            return .array(elements)
        case .alias:
            throw .badRequest("YAML aliases are not supported")
        }
    }
}
