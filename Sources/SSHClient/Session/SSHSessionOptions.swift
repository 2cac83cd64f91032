import CubicleModel

/// Tuning for reactor sessions; the defaults suit workspaces reached over a cluster network.
public struct SSHSessionOptions: Sendable {
    /// Seconds for TCP connect, key exchange and authentication together.
    public var connectTimeout: Double = 10
    /// Seconds between liveness checks of an established session; a silent interval sends a keepalive.
    public var keepaliveInterval: Double = 15
    /// Silent intervals tolerated before the session is declared dead.
    public var keepaliveMaxMissed: Int = 3
    /// Seconds to wait for a channel to open (including waiting for a free channel slot).
    public var channelOpenTimeout: Double = 30
    /// Channels open at once on one session; more wait for a slot. Match the server's `MaxSessions`.
    public var maxChannels: Int = 10
    /// Output bytes buffered per channel before the channel stops reading (back-pressure).
    public var outputBufferBytes: Int = 256 * 1024
    /// Stdin bytes queued per channel before `write` suspends.
    public var stdinQueueBytes: Int = 256 * 1024
    /// Cipher preference (client→server and server→client); AES-GCM first because it is the
    /// fastest with AES-NI, then ChaCha20 for hosts without it.
    public var ciphers: String = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr"
    /// The clock for command timeouts and idle tracking.
    public var timeSource: any TimeSource = SystemTimeSource()

    /// The defaults.
    public init() {}
}
