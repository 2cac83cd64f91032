/// Where and as whom to connect: the workspace's address, the login user, Cubicle's client key
/// for that workspace and the pinned host key. Two targets are equal when all of these are, so a
/// pool notices a new IP or a new host key and replaces its session.
public struct SSHTarget: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// The login user.
    public var user: String
    /// The client key that the workspace's `authorized_keys` accepts.
    public var clientKey: SSHKeyPair
    /// The only host key accepted from the server.
    public var hostKey: SSHPublicKey

    /// Creates a target.
    public init(host: String, port: Int = 22, user: String, clientKey: SSHKeyPair, hostKey: SSHPublicKey) {
        self.host = host
        self.port = port
        self.user = user
        self.clientKey = clientKey
        self.hostKey = hostKey
    }

    /// `host:port`, as used in messages.
    public var endpoint: String { SocketAddress.display(host: host, port: port) }

    /// `user@host:port`.
    public var description: String { "\(user)@\(endpoint)" }
}
