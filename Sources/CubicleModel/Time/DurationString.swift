/// A duration written the Go/Kubernetes way (`30m`, `1h30m`, `1.5s`, `250ms`): a sequence of
/// decimal numbers each followed by a unit `h`, `m`, `s`, `ms`, `us` (or `µs`) or `ns`.
/// Named so it does not clash with `Swift.Duration`.
public struct DurationString: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Why a string is not a duration.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The rejected text.
        public let text: String
        /// What is wrong with it.
        public let reason: String
        /// `"<text>" is not a valid duration: <reason>`.
        public var description: String { "\"\(text)\" is not a valid duration: \(reason)" }
    }

    /// The length in nanoseconds (never negative).
    public let nanoseconds: Int64

    /// Longer inputs are refused: no real duration needs them.
    static let maximumLength = 64

    /// Creates a duration of `nanoseconds` (clamped at zero).
    public init(nanoseconds: Int64) { self.nanoseconds = max(0, nanoseconds) }

    /// Creates a duration of whole `seconds`.
    public init(seconds: Int64) {
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self.init(nanoseconds: overflow ? .max : nanos)
    }

    /// Parses `text`; `0` alone is accepted, any other number needs a unit.
    public init(_ text: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        let scalars = Array(text.unicodeScalars)
        if scalars.isEmpty { throw fail("it is empty") }
        if scalars.count > DurationString.maximumLength { throw fail("it is too long") }
        if text == "0" {
            nanoseconds = 0
            return
        }
        var total: Int64 = 0
        var index = 0
        while index < scalars.count {
            var whole: Int64 = 0
            var fraction: Int64 = 0
            var fractionScale: Int64 = 1
            var sawDigit = false
            var sawPoint = false
            while index < scalars.count {
                let scalar = scalars[index]
                if let digit = DurationString.digit(scalar) {
                    sawDigit = true
                    if sawPoint {
                        // Digits beyond nanosecond resolution cannot change the result.
                        if fractionScale < 1_000_000_000_000_000 {
                            fraction = fraction * 10 + digit
                            fractionScale *= 10
                        }
                    } else {
                        let (shifted, o1) = whole.multipliedReportingOverflow(by: 10)
                        let (sum, o2) = shifted.addingReportingOverflow(digit)
                        if o1 || o2 { throw fail("it is too large") }
                        whole = sum
                    }
                } else if scalar == ".", !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                index += 1
            }
            if !sawDigit { throw fail("expected a number at position \(index + 1)") }
            var unit = ""
            while index < scalars.count, DurationString.digit(scalars[index]) == nil, scalars[index] != "." {
                unit.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard let perUnit = DurationString.units[unit] else {
                throw fail(unit.isEmpty ? "missing unit (expected h, m, s, ms, us or ns)" : "unknown unit \"\(unit)\"")
            }
            let (wholeNanos, o1) = whole.multipliedReportingOverflow(by: perUnit)
            // fraction / fractionScale of a unit, computed in 128 bits to stay exact.
            let fractionNanos = Int64((Int128(fraction) * Int128(perUnit)) / Int128(fractionScale))
            let (part, o2) = wholeNanos.addingReportingOverflow(fractionNanos)
            let (sum, o3) = total.addingReportingOverflow(part)
            if o1 || o2 || o3 { throw fail("it is too large") }
            total = sum
        }
        nanoseconds = total
    }

    /// Returns nil when `text` is a valid duration, else the reason it is not.
    public static func problem(with text: String) -> String? {
        do {
            _ = try DurationString(text)
            return nil
        } catch {
            return error.reason
        }
    }

    /// The length in seconds.
    public var seconds: Double { Double(nanoseconds) / 1_000_000_000 }

    /// The length in whole seconds, rounded up so a short non-zero duration never becomes zero.
    public var wholeSeconds: Int64 {
        nanoseconds / 1_000_000_000 + (nanoseconds % 1_000_000_000 == 0 ? 0 : 1)
    }

    /// The canonical spelling, largest units first (`1h30m`, `1.5s`, `250ms`, `0s`).
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        var rest = nanoseconds
        var out = ""
        let hours = rest / 3_600_000_000_000
        rest %= 3_600_000_000_000
        let minutes = rest / 60_000_000_000
        rest %= 60_000_000_000
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 { out += "\(minutes)m" }
        if rest == 0 { return out }
        if rest % 1_000_000_000 == 0 { return out + "\(rest / 1_000_000_000)s" }
        if out.isEmpty, rest < 1_000_000_000 {
            if rest % 1_000_000 == 0 { return "\(rest / 1_000_000)ms" }
            if rest % 1_000 == 0 { return "\(rest / 1_000)us" }
            return "\(rest)ns"
        }
        var fraction = String(rest % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return out + "\(rest / 1_000_000_000).\(fraction)s"
    }

    /// Orders by length.
    public static func < (lhs: DurationString, rhs: DurationString) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    static func digit(_ scalar: Unicode.Scalar) -> Int64? {
        (48...57).contains(scalar.value) ? Int64(scalar.value - 48) : nil
    }

    static let units: [String: Int64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]
}
