/// A Kubernetes resource quantity (`500m`, `2Gi`, `1`) kept as the string it was written as;
/// Cubicle passes quantities through and never does arithmetic on them.
public struct Quantity: Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The quantity as written, e.g. `2Gi`.
    public var rawValue: String

    /// Wraps a quantity string.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// Wraps a quantity literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The quantity as written.
    public var description: String { rawValue }

    /// Decodes a string, or a number written by hand (`cpu: 1`), into its string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            rawValue = text
        } else if let whole = try? container.decode(Int64.self) {
            rawValue = String(whole)
        } else {
            rawValue = String(try container.decode(Double.self))
        }
    }

    /// Encodes as a string, as the apiserver does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
