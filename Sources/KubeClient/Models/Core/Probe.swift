/// A health check of a container.
public struct Probe: Codable, Hashable, Sendable {
    /// Run a command; exit 0 is healthy.
    public var exec: ExecAction?
    /// Open a TCP connection.
    public var tcpSocket: TCPSocketAction?
    /// Make an HTTP GET request.
    public var httpGet: HTTPGetAction?
    /// Seconds after start before the first probe.
    public var initialDelaySeconds: Int?
    /// Seconds between probes.
    public var periodSeconds: Int?
    /// Seconds before a probe times out.
    public var timeoutSeconds: Int?
    /// Consecutive successes needed after a failure.
    public var successThreshold: Int?
    /// Consecutive failures before giving up.
    public var failureThreshold: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        exec: ExecAction? = nil,
        tcpSocket: TCPSocketAction? = nil,
        httpGet: HTTPGetAction? = nil,
        initialDelaySeconds: Int? = nil,
        periodSeconds: Int? = nil,
        timeoutSeconds: Int? = nil,
        successThreshold: Int? = nil,
        failureThreshold: Int? = nil
    ) {
        self.exec = exec
        self.tcpSocket = tcpSocket
        self.httpGet = httpGet
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

/// A command run inside the container.
public struct ExecAction: Codable, Hashable, Sendable {
    /// The command line.
    public var command: [String]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(command: [String]? = nil) {
        self.command = command
    }
}

/// A TCP connection check.
public struct TCPSocketAction: Codable, Hashable, Sendable {
    /// The port number or name.
    public var port: IntOrString = .int(0)
    /// The host, defaulting to the pod IP.
    public var host: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(port: IntOrString = .int(0), host: String? = nil) {
        self.port = port
        self.host = host
    }

    enum CodingKeys: String, CodingKey {
        case port
        case host
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        port = try container.decodeIfPresent(IntOrString.self, forKey: .port) ?? .int(0)
        host = try container.decodeIfPresent(String.self, forKey: .host)
    }
}

/// An HTTP GET check.
public struct HTTPGetAction: Codable, Hashable, Sendable {
    /// The request path.
    public var path: String?
    /// The port number or name.
    public var port: IntOrString = .int(0)
    /// The host, defaulting to the pod IP.
    public var host: String?
    /// `HTTP` or `HTTPS`.
    public var scheme: String?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        path: String? = nil,
        port: IntOrString = .int(0),
        host: String? = nil,
        scheme: String? = nil
    ) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
    }

    enum CodingKeys: String, CodingKey {
        case path
        case port
        case host
        case scheme
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        port = try container.decodeIfPresent(IntOrString.self, forKey: .port) ?? .int(0)
        host = try container.decodeIfPresent(String.self, forKey: .host)
        scheme = try container.decodeIfPresent(String.self, forKey: .scheme)
    }
}
