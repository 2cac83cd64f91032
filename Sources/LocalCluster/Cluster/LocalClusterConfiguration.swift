import CubicleModel
import Logging
import NIOCore
import NIOPosix

/// How to run an embedded cluster.
public struct LocalClusterConfiguration: Sendable {
    /// The loopback address to listen on (`127.0.0.1`, `::1`, `localhost`, or another 127/8 address).
    public var host: String
    /// The port; 0 picks a free one (see `LocalCluster.start()` for the bound port).
    public var port: Int
    /// Where objects, the resourceVersion counter, the CA and signing keys live.
    public var dataDirectory: String
    /// HTTPS with client-certificate and bearer-token authentication (true), or plain HTTP
    /// where unauthenticated callers are allowed (false).
    public var tls: Bool
    /// Bearer tokens accepted as fixed users.
    public var staticTokens: [String: UserInfo]
    /// Serves the fault endpoints under `/_localcluster/faults` (the Swift fault API always works).
    public var faultEndpoints: Bool
    /// The logger.
    public var logger: Logger
    /// The clock for timestamps, token expiry, watch timeouts and bookmarks.
    public var timeSource: any TimeSource
    /// How many changes the watch history keeps; older resourceVersions are 410 Gone.
    public var historyLimit: Int
    /// Seconds between watch bookmarks (when a client allows them).
    public var bookmarkInterval: Double
    /// Seconds a watch lasts when the client does not say (`timeoutSeconds`).
    public var watchTimeout: Double
    /// The largest request body accepted (413 beyond).
    public var maximumBodySize: Int
    /// The event loops serving connections.
    public var eventLoopGroup: any EventLoopGroup
    /// Runs the process kubelet too (pods become real processes); nil: the API server only.
    public var kubelet: KubeletConfiguration?
    /// Who may do what once authenticated (`.rbac` enforces stored Roles and bindings).
    public var authorization: AuthorizationMode = .allowAll
    /// Called with every resource request's authorization decision (tests record what a client needs).
    public var onAccess: (@Sendable (AccessRecord) -> Void)?

    /// A configuration with defaults: HTTPS on an ephemeral loopback port, no fault endpoints.
    public init(
        dataDirectory: String,
        host: String = "127.0.0.1",
        port: Int = 0,
        tls: Bool = true,
        staticTokens: [String: UserInfo] = [:],
        faultEndpoints: Bool = false,
        logger: Logger = Logger(label: "cubicle.localcluster"),
        timeSource: any TimeSource = SystemTimeSource(),
        historyLimit: Int = 5000,
        bookmarkInterval: Double = 60,
        watchTimeout: Double = 1800,
        maximumBodySize: Int = 3 * 1024 * 1024,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        kubelet: KubeletConfiguration? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.tls = tls
        self.staticTokens = staticTokens
        self.faultEndpoints = faultEndpoints
        self.logger = logger
        self.timeSource = timeSource
        self.historyLimit = historyLimit
        self.bookmarkInterval = bookmarkInterval
        self.watchTimeout = watchTimeout
        self.maximumBodySize = maximumBodySize
        self.eventLoopGroup = eventLoopGroup
        self.kubelet = kubelet
    }

    /// Parses `host:port` (`127.0.0.1:6443`, `[::1]:0`) into host and port.
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw LocalClusterError.setup("--listen must be host:port, got \(text)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            throw LocalClusterError.setup("--listen must be host:port with a port from 0 to 65535, got \(text)")
        }
        return (host, port)
    }

    /// True for loopback hosts, the only ones the embedded cluster listens on.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// Where a started cluster listens.
public struct LocalClusterAddress: Sendable, Hashable {
    /// `https` or `http`.
    public let scheme: String
    /// The host clients connect to.
    public let host: String
    /// The bound port.
    public let port: Int

    /// `https://127.0.0.1:6443`.
    public var url: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
