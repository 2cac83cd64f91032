/// Writes the Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` once per
/// family, then one `name{label="value",…} value` line per sample, `\n` line endings.
public struct ExpositionWriter: Sendable {
    /// The content type a scrape answer carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The text written so far.
    public private(set) var text = ""

    /// Creates an empty writer.
    public init() {}

    /// Starts a family: its `# HELP` and `# TYPE` lines.
    public mutating func family(_ name: String, help: String, type: MetricType) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n"
        text += "# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample line with an already formatted value.
    public mutating func sample(_ name: String, labels: [(name: String, value: String)], value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, label) in labels.enumerated() {
                if index > 0 { text += "," }
                text += "\(label.name)=\"\(Self.escapeLabelValue(label.value))\""
            }
            text += "}"
        }
        text += " \(value)\n"
    }

    /// One sample line.
    public mutating func sample(_ name: String, labels: [(name: String, value: String)], value: Double) {
        sample(name, labels: labels, value: Self.format(value))
    }

    /// A label value escaped: backslash, double quote and line feed.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Help text escaped: backslash and line feed (quotes stay as they are in 0.0.4).
    public static func escapeHelp(_ help: String) -> String {
        guard help.contains(where: { $0 == "\\" || $0 == "\n" }) else { return help }
        var escaped = ""
        for character in help {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, else the shortest
    /// decimal that reads back as the same double (`0.005`, `1e-09`).
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Whether `name` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    public static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") }
    }

    /// Whether `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not `__`-prefixed).
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
