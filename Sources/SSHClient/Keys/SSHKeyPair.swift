/// A private key with its public half. Cubicle generates one per workspace for the host and one
/// as the client key; the private part is kept as OpenSSH text (usable as an sshd `HostKey` file
/// and as a client identity) and never appears in descriptions.
public struct SSHKeyPair: Hashable, Sendable, CustomStringConvertible {
    /// The private key in OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`…).
    public let privateKey: String
    /// The public half.
    public let publicKey: SSHPublicKey

    /// Generates a new Ed25519 key pair with libssh; `comment` ends up on the public key line.
    public static func generateEd25519(comment: String? = nil) throws(SSHError) -> SSHKeyPair {
        let key = try LibSSHKey.generateEd25519()
        return try SSHKeyPair(key: key, comment: comment)
    }

    /// Imports an unencrypted private key (OpenSSH or PEM text), deriving the public half.
    public init(privateKey: String, comment: String? = nil) throws(SSHError) {
        try self.init(key: LibSSHKey.importPrivate(privateKey), comment: comment)
    }

    private init(key: LibSSHKey, comment: String?) throws(SSHError) {
        guard key.isPrivate else { throw .invalidKey("the key has no private part") }
        self.privateKey = try key.privateOpenSSH()
        self.publicKey = SSHPublicKey(
            algorithm: key.algorithm,
            base64: try key.publicBase64(),
            comment: comment,
            fingerprint: key.fingerprintSHA256()
        )
    }

    /// Pairs are the same key when their public halves are: the OpenSSH text of one private key
    /// differs between exports (random check bytes), so it must not decide equality — a pool
    /// would otherwise see a "new" target on every import and replace its session.
    public static func == (lhs: SSHKeyPair, rhs: SSHKeyPair) -> Bool {
        lhs.publicKey == rhs.publicKey
    }

    /// Hashes the public half (see `==`).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(publicKey)
    }

    /// Only the public half, so logs never carry the private key.
    public var description: String { "SSHKeyPair(\(publicKey))" }

    /// Imports the private key into libssh on the calling thread.
    func libsshKey() throws(SSHError) -> LibSSHKey {
        try LibSSHKey.importPrivate(privateKey)
    }
}
