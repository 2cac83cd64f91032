/// A request target split into percent-decoded path segments and query parameters.
struct RequestTarget: Sendable {
    let segments: [String]
    let query: [String: [String]]

    init(uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        segments = path.split(separator: "/").map { Self.percentDecode(String($0), plusIsSpace: false) }
        var query: [String: [String]] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecode(String(keyValue[0]), plusIsSpace: true)
                let value = keyValue.count > 1 ? Self.percentDecode(String(keyValue[1]), plusIsSpace: true) : ""
                query[key, default: []].append(value)
            }
        }
        self.query = query
    }

    /// The path as `/a/b/c`.
    var path: String { "/" + segments.joined(separator: "/") }

    /// The first value of parameter `name`.
    func parameter(_ name: String) -> String? { query[name]?.first }

    /// A boolean parameter (`1`, `true`); false when absent.
    func flag(_ name: String) -> Bool {
        guard let value = parameter(name)?.lowercased() else { return false }
        return value == "1" || value == "true"
    }

    /// An integer parameter; 400 when present but not an integer.
    func integer(_ name: String) throws(LocalClusterError) -> Int64? {
        guard let text = parameter(name), !text.isEmpty else { return nil }
        guard let value = Int64(text) else { throw .badRequest("\(name): Invalid value: \"\(text)\": must be an integer") }
        return value
    }

    private static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return text }
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2, let high = hex(input[input.startIndex]),
                let low = hex(input[input.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                input = input.dropFirst(2)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
