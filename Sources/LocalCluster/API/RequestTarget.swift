import CubicleModel

/// A request target split into percent-decoded path segments and query parameters.
struct RequestTarget: Sendable {
    let segments: [String]
    let query: [String: [String]]

    init(uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        segments = path.split(separator: "/").map { PercentDecoding.decode($0, plusIsSpace: false) }
        var query: [String: [String]] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = PercentDecoding.decode(keyValue[0], plusIsSpace: true)
                let value = keyValue.count > 1 ? PercentDecoding.decode(keyValue[1], plusIsSpace: true) : ""
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
}
