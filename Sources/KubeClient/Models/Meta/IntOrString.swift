/// A value that is either an integer or a string, such as a port given by number or by name.
public enum IntOrString: Codable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// A number.
    case int(Int)
    /// A name or a percentage.
    case string(String)

    /// Wraps a number.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Wraps a string.
    public init(stringLiteral value: String) { self = .string(value) }

    /// Decodes a JSON number or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes as a JSON number or string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }
}
