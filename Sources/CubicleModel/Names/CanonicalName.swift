import Crypto

/// The canonical workspace name: `<username>-<first 7 hex of sha256(key)>` where the key is
/// `u=<username>|bp=<blueprint>` plus `|i=<instance>` when an instance is given.
public struct CanonicalName: Hashable, Sendable, CustomStringConvertible {
    /// The owning user.
    public let username: String
    /// The blueprint, when the key has one.
    public let blueprint: String?
    /// The instance discriminator, when the key has one.
    public let instance: String?

    /// Creates the name for a user, blueprint and optional instance.
    public init(username: String, blueprint: String?, instance: String? = nil) {
        self.username = username
        self.blueprint = blueprint
        self.instance = instance
    }

    /// The string hashed to derive the name.
    public var key: String {
        var key = "u=\(username)"
        if let blueprint { key += "|bp=\(blueprint)" }
        if let instance { key += "|i=\(instance)" }
        return key
    }

    /// The workspace name derived from the key.
    public var name: String {
        let digest = SHA256.hash(data: Array(key.utf8))
        let hex = digest.prefix(4).map { byte -> String in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        return "\(username)-\(hex.prefix(7))"
    }

    /// The workspace name.
    public var description: String { name }
}
