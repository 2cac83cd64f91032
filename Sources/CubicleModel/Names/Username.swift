/// Rules for Cubicle user names: they become POSIX login names inside workspaces and the prefix of
/// workspace names, so they must satisfy both (a DNS label of at most 32 characters starting with a letter).
public enum Username {
    /// The longest user name accepted (the POSIX `useradd` limit).
    public static let maxLength = 32

    /// Returns nil when `name` is an acceptable user name, else the reason it is not.
    public static func problem(with name: String) -> String? {
        if let problem = DNSLabel.problem(with: name, maxLength: maxLength) { return problem }
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return "must start with a lower case letter"
        }
        return nil
    }

    /// True when `name` is an acceptable user name.
    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }
}
