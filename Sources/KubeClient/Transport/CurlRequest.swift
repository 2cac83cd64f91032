/// One HTTP header.
public struct HTTPHeader: Hashable, Sendable {
    /// The header name as sent or received.
    public var name: String
    /// The header value.
    public var value: String

    /// Creates a header.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// TLS material and checks for one request; PEM bytes are handed to libcurl as in-memory blobs,
/// so keys never touch the disk.
public struct TLSOptions: Hashable, Sendable {
    /// The CA bundle to trust instead of the system store; nil trusts the system store.
    public var certificateAuthorityPEM: [UInt8]?
    /// The client certificate (chain) for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    /// The client certificate's private key.
    public var clientKeyPEM: [UInt8]?
    /// Skip verifying the server's certificate and name (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// The name to send as SNI and verify the server certificate against instead of the URL host.
    public var serverName: String?

    /// Creates TLS options.
    public init(
        certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false,
        serverName: String? = nil
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// The HTTP protocol version libcurl negotiates.
public enum HTTPVersion: Hashable, Sendable {
    /// HTTP/1.1 only: one connection per concurrent transfer.
    case http1_1
    /// HTTP/2 over TLS when the server offers it (ALPN), HTTP/1.1 otherwise.
    case http2
}

/// How many response bytes may wait for a slow consumer: above `highWater` the transfer is
/// paused, and it resumes once the consumer has drained the buffer to `lowWater`.
public struct BufferLimits: Hashable, Sendable {
    /// Pause the transfer when this many bytes are buffered.
    public var highWater: Int
    /// Resume the transfer when the buffer has drained to this many bytes.
    public var lowWater: Int

    /// Creates limits; `lowWater` is clamped to `highWater`.
    public init(highWater: Int, lowWater: Int) {
        self.highWater = max(1, highWater)
        self.lowWater = max(0, min(lowWater, self.highWater))
    }

    /// 1 MiB high, 256 KiB low.
    public static let standard = BufferLimits(highWater: 1 << 20, lowWater: 1 << 18)
}

/// One HTTP request for the `CurlReactor`.
public struct CurlRequest: Sendable {
    /// The method, e.g. `GET`.
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Request headers.
    public var headers: [HTTPHeader]
    /// The request body, if any.
    public var body: [UInt8]?
    /// TLS material and checks.
    public var tls: TLSOptions
    /// An HTTP(S) proxy URL; nil uses libcurl's environment defaults.
    public var proxy: String?
    /// The HTTP version to negotiate.
    public var httpVersion: HTTPVersion
    /// Seconds allowed to establish the connection.
    public var connectTimeout: Double
    /// Seconds allowed for the whole transfer; nil for long-running streams such as watches.
    public var timeout: Double?
    /// Back-pressure limits for the response body.
    public var bufferLimits: BufferLimits

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8]? = nil,
        tls: TLSOptions = TLSOptions(),
        proxy: String? = nil,
        httpVersion: HTTPVersion = .http1_1,
        connectTimeout: Double = 10,
        timeout: Double? = 60,
        bufferLimits: BufferLimits = .standard
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.proxy = proxy
        self.httpVersion = httpVersion
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.bufferLimits = bufferLimits
    }
}

/// A response whose head has arrived; the body streams on.
public struct CurlResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The response headers.
    public let headers: [HTTPHeader]
    /// The body as an async sequence of chunks with back-pressure.
    public let body: ResponseBody

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
