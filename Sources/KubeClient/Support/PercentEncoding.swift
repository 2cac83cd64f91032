/// Percent-encoding for URL path segments and query components (RFC 3986 unreserved characters
/// pass through; everything else, including `/`, `=`, `,` and `!`, is escaped).
enum PercentEncoding {
    /// Encodes one path segment.
    static func pathSegment(_ text: String) -> String { encode(text) }

    /// Encodes a query name or value.
    static func queryComponent(_ text: String) -> String { encode(text) }

    /// Builds `name=value&…` from ordered pairs.
    static func query(_ items: [(String, String)]) -> String {
        items.map { queryComponent($0.0) + "=" + queryComponent($0.1) }.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
