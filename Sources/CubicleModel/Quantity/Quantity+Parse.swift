/// The Kubernetes quantity grammar:
/// `<sign>? (<digits> | <digits>.<digits>? | .<digits>) (<binarySI> | <decimalSI> | [eE]<sign>?<digits>)?`.
enum QuantityParser {
    /// Longer inputs are refused outright: no real quantity needs them and they bound the work.
    static let maximumLength = 64
    /// Significant digits kept exactly; more would not fit the 128-bit arithmetic.
    static let maximumDigits = 36

    static func parse(_ text: String) throws(Quantity.ParseError) -> Quantity {
        func fail(_ reason: String) -> Quantity.ParseError { Quantity.ParseError(text: text, reason: reason) }
        let bytes = Array(text.utf8)
        if bytes.isEmpty { throw fail("it is empty") }
        if bytes.count > maximumLength { throw fail("it is longer than \(maximumLength) characters") }

        var index = 0
        var negative = false
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: Int128 = 0
        var significantDigits = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if isDigit(byte) {
                sawDigit = true
                if sawPoint { fractionDigits += 1 }
                if mantissa != 0 || byte != UInt8(ascii: "0") { significantDigits += 1 }
                if significantDigits > maximumDigits { throw fail("it has more than \(maximumDigits) significant digits") }
                mantissa = mantissa * 10 + Int128(byte - UInt8(ascii: "0"))
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        if !sawDigit { throw fail("expected a number") }

        let suffix = String(decoding: bytes[index...], as: UTF8.self)
        var exponent10 = -fractionDigits
        var exponent2 = 0
        let format: Quantity.Format
        if let power = binarySuffixes[suffix] {
            exponent2 = power
            format = .binarySI
        } else if let power = decimalSuffixes[suffix] {
            exponent10 += power
            format = .decimalSI
        } else if let first = suffix.utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") {
            guard let exponent = Int(suffix.dropFirst()), suffix.count > 1, abs(exponent) <= 40,
                  suffix.dropFirst().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") })
            else { throw fail("invalid exponent \"\(suffix)\"") }
            exponent10 += exponent
            format = .decimalExponent
        } else {
            throw fail("unknown suffix \"\(suffix)\" (expected one of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent)")
        }

        guard let nanos = scale(mantissa, exponent10: exponent10 + 9, exponent2: exponent2) else {
            throw fail("it is larger than \(Int64.max)")
        }
        guard let quantity = Quantity(nanos: negative ? -nanos : nanos, format: format) else {
            throw fail("it is larger than \(Int64.max)")
        }
        return quantity
    }

    /// `mantissa × 10^exponent10 × 2^exponent2`, rounded up; nil on overflow.
    static func scale(_ mantissa: Int128, exponent10: Int, exponent2: Int) -> Int128? {
        if mantissa == 0 { return 0 }
        var value = mantissa
        for _ in 0..<exponent2 {
            // Only true overflow fails here: a long fraction may still divide back into range below.
            let (doubled, overflow) = value.multipliedReportingOverflow(by: 2)
            if overflow { return nil }
            value = doubled
        }
        if exponent10 >= 0 {
            for _ in 0..<exponent10 {
                let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow || scaled > Quantity.maximumNanos { return nil }
                value = scaled
            }
            return value
        }
        var divisor: Int128 = 1
        for _ in 0..<(-exponent10) {
            divisor *= 10
            if divisor > value { return 1 }
        }
        let quotient = value / divisor
        return value % divisor == 0 ? quotient : quotient + 1
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static let binarySuffixes: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
    static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
}

extension Quantity {
    /// The canonical spelling Kubernetes would serialize: binary units when the value is a whole
    /// number of at least 1024, else the largest power-of-1000 suffix (or exponent) that keeps the
    /// number whole.
    public var canonical: String {
        if nanos == 0 { return "0" }
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        if format == .binarySI, magnitude % UInt128(Quantity.nanosPerUnit) == 0,
           magnitude / UInt128(Quantity.nanosPerUnit) >= 1024 {
            var units = magnitude / UInt128(Quantity.nanosPerUnit)
            var power = 0
            while power < 6, units % 1024 == 0 {
                units /= 1024
                power += 1
            }
            return sign + String(units) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power]
        }
        var units = magnitude
        var exponent = -9
        while exponent < 18, units % 1000 == 0 {
            units /= 1000
            exponent += 3
        }
        if format == .decimalExponent {
            return sign + String(units) + (exponent == 0 ? "" : "e\(exponent)")
        }
        let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        return sign + String(units) + (suffixes[exponent] ?? "")
    }
}
