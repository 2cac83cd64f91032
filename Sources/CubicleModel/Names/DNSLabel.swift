/// Validation of RFC 1123 DNS labels, the shape of Kubernetes object names and of workspace names.
public enum DNSLabel {
    /// The longest label Kubernetes accepts.
    public static let maxLength = 63

    /// Returns nil when `name` is a valid DNS-1123 label, else the reason it is not.
    public static func problem(with name: String, maxLength: Int = DNSLabel.maxLength) -> String? {
        if name.isEmpty { return "must not be empty" }
        let bytes = Array(name.utf8)
        if bytes.count > maxLength { return "must be no more than \(maxLength) characters" }
        for byte in bytes where !(isLowerAlnum(byte) || byte == UInt8(ascii: "-")) {
            return "must consist of lower case alphanumeric characters or '-'"
        }
        if !isLowerAlnum(bytes.first!) || !isLowerAlnum(bytes.last!) {
            return "must start and end with an alphanumeric character"
        }
        return nil
    }

    /// True when `name` is a valid DNS-1123 label.
    public static func isValid(_ name: String, maxLength: Int = DNSLabel.maxLength) -> Bool {
        problem(with: name, maxLength: maxLength) == nil
    }

    /// Lower-cases `text` and replaces every run of characters a label cannot hold by one `-`,
    /// trimming to `maxLength`; the result is a valid label or empty.
    public static func normalize(_ text: String, maxLength: Int = DNSLabel.maxLength) -> String {
        var out: [UInt8] = []
        for byte in text.lowercased().utf8 {
            if isLowerAlnum(byte) {
                out.append(byte)
            } else if out.last != UInt8(ascii: "-") {
                out.append(UInt8(ascii: "-"))
            }
        }
        while out.first == UInt8(ascii: "-") { out.removeFirst() }
        if out.count > maxLength { out = Array(out.prefix(maxLength)) }
        while out.last == UInt8(ascii: "-") { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}

/// Validation of DNS-1123 subdomains (dot-separated labels, at most 253 characters), the shape of
/// most Kubernetes object names (Secrets, ConfigMaps, Pods).
public enum DNSSubdomain {
    /// Returns nil when `name` is a valid DNS-1123 subdomain, else the reason it is not.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > 253 { return "must be no more than 253 characters" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if let problem = DNSLabel.problem(with: String(label)) {
                return "each dot-separated part \(problem)"
            }
        }
        return nil
    }
}
