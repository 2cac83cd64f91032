import CubicleModel

/// A terminal size from a resize frame: `{"Width":120,"Height":40}` (Kubernetes' PascalCase; the
/// lowercase spelling is accepted too). Go clients end each object with a newline and may put
/// several in one message.
struct TerminalSize: Equatable, Sendable {
    /// Columns, 1…10000.
    var cols: Int
    /// Rows, 1…10000.
    var rows: Int

    /// The largest resize message accepted.
    static let maximumMessage = 4096

    /// Every size in a resize payload, in order; throws on anything that is not a list of
    /// `{Width, Height}` objects with sizes in range.
    static func parse(_ payload: [UInt8]) throws(ExecProtocolViolation) -> [TerminalSize] {
        guard payload.count <= maximumMessage else { throw invalid("the resize message is larger than 4096 bytes") }
        let objects = try split(payload)
        guard !objects.isEmpty else { throw invalid("empty resize message") }
        var sizes: [TerminalSize] = []
        for object in objects {
            guard let value = try? JSONValue.parse(object), let members = value.objectValue else {
                throw invalid("resize must be JSON like {\"Width\":120,\"Height\":40}")
            }
            var width: Int64?
            var height: Int64?
            for (key, member) in members {
                switch key {
                case "Width", "width": width = member.intValue
                case "Height", "height": height = member.intValue
                default: throw invalid("unknown resize field \"\(key.prefix(20))\"; expected Width and Height")
                }
            }
            guard let width, let height else { throw invalid("resize needs integer Width and Height") }
            guard (1...10_000).contains(width), (1...10_000).contains(height) else {
                throw invalid("resize Width and Height must be 1 to 10000")
            }
            sizes.append(TerminalSize(cols: Int(width), rows: Int(height)))
        }
        return sizes
    }

    private static func invalid(_ reason: String) -> ExecProtocolViolation {
        ExecProtocolViolation(.invalidPayload, reason)
    }

    /// Splits concatenated top-level JSON objects (`{…}\n{…}` or `{…}{…}`), skipping whitespace.
    private static func split(_ payload: [UInt8]) throws(ExecProtocolViolation) -> [ArraySlice<UInt8>] {
        var objects: [ArraySlice<UInt8>] = []
        var depth = 0
        var start = 0
        var inString = false
        var escaped = false
        for (index, byte) in payload.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard depth > 0 else { throw invalid("resize must be JSON objects") }
                inString = true
            case UInt8(ascii: "{"):
                if depth == 0 { start = index }
                depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                guard depth >= 0 else { throw invalid("unbalanced braces in resize message") }
                if depth == 0 { objects.append(payload[start...index]) }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            default:
                guard depth > 0 else { throw invalid("resize must be JSON objects") }
            }
        }
        guard depth == 0, !inString else { throw invalid("truncated resize message") }
        return objects
    }
}
