/// A Kubernetes resource quantity (`100m`, `2`, `1.5`, `128Mi`, `1G`, `1e3`), held exactly at nano
/// precision the way the API server holds it: anything finer is rounded up, anything above
/// 2^63-1 is rejected.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The notation a quantity was written in; the canonical string keeps it, as Kubernetes does.
    public enum Format: String, Sendable, Hashable, Codable {
        /// Powers of 1024: `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`.
        case binarySI
        /// Powers of 1000: `n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`.
        case decimalSI
        /// Scientific notation: `1e3`, `5E-3`.
        case decimalExponent
    }

    /// Why a string is not a quantity.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The rejected text.
        public let text: String
        /// What is wrong with it.
        public let reason: String
        /// `"<text>" is not a valid quantity: <reason>`.
        public var description: String { "\"\(text)\" is not a valid quantity: \(reason)" }
    }

    /// The value times 10^9; exact because every quantity is a finite decimal and finer digits are rounded up.
    public let nanos: Int128
    /// The notation the quantity was written in.
    public let format: Format

    static let nanosPerUnit: Int128 = 1_000_000_000
    static let maximumNanos: Int128 = Int128(Int64.max) * nanosPerUnit

    /// Creates a quantity from a value in nano units; nil when it exceeds the representable range.
    public init?(nanos: Int128, format: Format = .decimalSI) {
        guard nanos.magnitude <= Quantity.maximumNanos.magnitude else { return nil }
        self.nanos = nanos
        self.format = format
    }

    /// A CPU quantity of `millicores` thousandths of a core.
    public init(millicores: Int64) {
        nanos = Int128(millicores) * 1_000_000
        format = .decimalSI
    }

    /// A memory or storage quantity of `bytes`, written in binary units.
    public init(bytes: Int64) {
        nanos = Int128(bytes) * Quantity.nanosPerUnit
        format = .binarySI
    }

    /// Parses the Kubernetes quantity grammar: a signed decimal number and one optional suffix.
    public init(_ text: String) throws(ParseError) {
        self = try QuantityParser.parse(text)
    }

    /// Returns nil when `text` is a valid quantity, else the reason it is not.
    public static func problem(with text: String) -> String? {
        do {
            _ = try Quantity(text)
            return nil
        } catch {
            return error.reason
        }
    }

    /// The value in thousandths, rounded up (CPU millicores); nil when it does not fit in 64 bits.
    public var millicores: Int64? { Quantity.ceilingDivide(nanos, by: 1_000_000) }

    /// The value rounded up to a whole number (bytes); nil when it does not fit in 64 bits.
    public var bytes: Int64? { Quantity.ceilingDivide(nanos, by: Quantity.nanosPerUnit) }

    /// True for values below zero.
    public var isNegative: Bool { nanos < 0 }

    /// True for zero.
    public var isZero: Bool { nanos == 0 }

    /// The canonical Kubernetes spelling (`1536Mi`, `100m`, `2`, `1e3`).
    public var description: String { canonical }

    /// Equal values are equal whatever their notation.
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos == rhs.nanos }

    /// Hashes the value only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }

    /// Orders by value.
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos < rhs.nanos }

    static func ceilingDivide(_ value: Int128, by divisor: Int128) -> Int64? {
        var quotient = value / divisor
        if value % divisor != 0, value > 0 { quotient += 1 }
        return Int64(exactly: quotient)
    }
}

extension Quantity: Codable {
    /// Decodes the string form, or a JSON number as Kubernetes also accepts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
        do {
            self = try Quantity(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the canonical string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(canonical)
    }
}
