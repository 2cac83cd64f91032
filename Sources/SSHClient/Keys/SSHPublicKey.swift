/// A public key as one `authorized_keys` / `known_hosts` line (`ssh-ed25519 AAAA… comment`),
/// validated on creation; used to pin a workspace's host key and to authorise Cubicle's key.
public struct SSHPublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm name, e.g. `ssh-ed25519`.
    public let algorithm: String
    /// The base64 SSH wire blob.
    public let base64: String
    /// The free-text comment after the blob, if any.
    public let comment: String?
    /// The fingerprint as OpenSSH prints it (`SHA256:…`).
    public let fingerprint: String

    /// Parses and validates one public key line; options before the algorithm are not accepted.
    public init(line: String) throws(SSHError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline })
        guard fields.count >= 2 else {
            throw .invalidKey("a public key line needs '<algorithm> <base64> [comment]'")
        }
        let algorithm = String(fields[0])
        let base64 = String(fields[1])
        let key = try LibSSHKey.importPublic(algorithm: algorithm, base64: base64)
        let comment = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        self.init(algorithm: algorithm, base64: base64, comment: comment, fingerprint: key.fingerprintSHA256())
    }

    init(algorithm: String, base64: String, comment: String?, fingerprint: String) {
        self.algorithm = algorithm
        self.base64 = base64
        self.comment = comment
        self.fingerprint = fingerprint
    }

    /// The line for `authorized_keys` or `known_hosts`.
    public var line: String {
        if let comment, !comment.isEmpty { return "\(algorithm) \(base64) \(comment)" }
        return "\(algorithm) \(base64)"
    }

    /// `SHA256:… (ssh-ed25519)`, the form used in error messages.
    public var description: String { "\(fingerprint) (\(algorithm))" }

    /// Two keys are equal when algorithm and blob are; the comment does not matter.
    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.base64 == rhs.base64
    }

    /// Hashes algorithm and blob only, matching `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(base64)
    }

    /// Imports the key into libssh on the calling thread.
    func libsshKey() throws(SSHError) -> LibSSHKey {
        try LibSSHKey.importPublic(algorithm: algorithm, base64: base64)
    }

    /// The host-key algorithms to offer in key exchange so the server presents this key's type.
    var hostKeyAlgorithms: String {
        switch algorithm {
        case "ssh-rsa": "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
        default: algorithm
        }
    }
}
