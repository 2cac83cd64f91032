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

    /// The deepest flow nesting (`[`/`{`) and indentation a YAML body may have; real objects stay
    /// far below, and the parser recurses per level.
    static let maximumYAMLDepth = 100
    static let maximumYAMLIndentation = 400

    private static func yaml(_ bytes: [UInt8]) throws(LocalClusterError) -> JSONValue {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the request body is not valid UTF-8")
        }
        try checkNesting(bytes)
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

    /// Rejects bodies nested deeper than the parser should recurse (quotes are not tracked, so
    /// brackets inside strings count too: harmless for real objects).
    private static func checkNesting(_ bytes: [UInt8]) throws(LocalClusterError) {
        var depth = 0
        var indentation = 0
        var atLineStart = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumYAMLDepth { throw .badRequest("the YAML document is nested too deeply") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
            if byte == 0x0A {
                atLineStart = true
                indentation = 0
            } else if atLineStart && (byte == 0x20 || byte == UInt8(ascii: "-")) {
                indentation += 1
                if indentation > maximumYAMLIndentation { throw .badRequest("the YAML document is nested too deeply") }
            } else {
                atLineStart = false
            }
        }
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
