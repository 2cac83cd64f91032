import Hummingbird
import HummingbirdCore

/// `application/x-www-form-urlencoded`, read as browsers, Python's `urlencode`/`requests` and the
/// Kubernetes API server write it: `+` is a space, `%XX` a byte (so `%2B` is a literal `+`), and
/// keys are decoded like values. The one decoder for every query and form body of the API.
enum FormEncoding {
    /// The `key=value` pairs of `text`, in order, both sides decoded; a pair without `=` has an
    /// empty value, empty pairs (`a=1&&b=2`) are skipped.
    static func pairs(_ text: Substring) -> [(key: Substring, value: Substring)] {
        text.split(separator: "&").map { pair in
            guard let equals = pair.firstIndex(of: "=") else { return (key: decode(pair)[...], value: "") }
            return (key: decode(pair[..<equals])[...], value: decode(pair[pair.index(after: equals)...])[...])
        }
    }

    /// One decoded component: `+` becomes a space, `%XX` the byte XX; a `%` not followed by two
    /// hex digits stays as it is. Bytes that are not UTF-8 become U+FFFD.
    static func decode(_ component: Substring) -> String {
        let utf8 = component.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(component) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                      let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high != utf8.endIndex,
                      let low = utf8.index(high, offsetBy: 1, limitedBy: utf8.endIndex), low != utf8.endIndex,
                      let upper = hexValue(utf8[high]), let lower = hexValue(utf8[low]) {
                bytes.append(upper << 4 | lower)
                index = low
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Request {
    /// The query parameters decoded as a form (`+` is a space); routes read their query only
    /// through this, never through `uri.queryParameters`, which keeps `+` and encoded keys as sent.
    var query: FlatDictionary<Substring, Substring> {
        guard let text = uri.query, !text.isEmpty else { return [:] }
        return FlatDictionary(FormEncoding.pairs(text[...]))
    }
}
