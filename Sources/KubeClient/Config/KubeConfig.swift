/// Everything the client needs to reach one apiserver as one identity: the server URL, TLS
/// material, credentials and the default namespace. Load it from a kubeconfig, from the pod's
/// service account, or build it directly to point the client anywhere.
public struct KubeConfig: Sendable {
    /// The apiserver base URL, e.g. `https://127.0.0.1:6443` (a path prefix is kept).
    public var server: String
    /// The namespace used when an operation names none.
    public var namespace: String
    /// CA, client certificate and key (PEM), verification switches and SNI name.
    public var tls: TLSOptions
    /// How requests authenticate (besides a client certificate in `tls`).
    public var auth: KubeAuth
    /// An HTTP(S) proxy URL (kubeconfig `proxy-url`); nil uses libcurl's environment defaults.
    public var proxyURL: String?
    /// The HTTP version to negotiate.
    public var httpVersion: HTTPVersion
    /// Seconds allowed to connect.
    public var connectTimeout: Double
    /// Seconds allowed for one non-streaming request.
    public var requestTimeout: Double
    /// Where this configuration came from, for logs and errors, e.g. `kubeconfig /x/config (context dev)`.
    public var origin: String

    /// Builds a configuration directly.
    public init(
        server: String,
        namespace: String = "default",
        tls: TLSOptions = TLSOptions(),
        auth: KubeAuth = .none,
        proxyURL: String? = nil,
        httpVersion: HTTPVersion = .http1_1,
        connectTimeout: Double = 10,
        requestTimeout: Double = 60,
        origin: String = "direct"
    ) {
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.auth = auth
        self.proxyURL = proxyURL
        self.httpVersion = httpVersion
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.origin = origin
    }
}

/// How requests authenticate with a bearer token (client certificates live in `TLSOptions`).
public enum KubeAuth: Sendable, Hashable {
    /// No token (anonymous, or client certificate only).
    case none
    /// A fixed bearer token.
    case bearerToken(String)
    /// A token read from a file and re-read when it may have rotated: at most every
    /// `TokenFileCredentials.recheckInterval` seconds, and after every 401.
    case tokenFile(path: String)
    /// A `client.authentication.k8s.io` exec credential plugin.
    case exec(ExecCredentialConfig)
}

/// A kubeconfig `users[].user.exec` stanza, with paths already resolved.
public struct ExecCredentialConfig: Sendable, Hashable {
    /// The command: an absolute path, or a name looked up in `PATH`.
    public var command: String
    /// Arguments.
    public var args: [String]
    /// Extra environment variables, in order.
    public var env: [HTTPHeader]
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// Shown when the command cannot be found.
    public var installHint: String?
    /// Whether `KUBERNETES_EXEC_INFO` includes the cluster.
    public var provideClusterInfo: Bool
    /// The cluster as described to the plugin when `provideClusterInfo` is set.
    public var cluster: ExecClusterInfo?

    /// Creates a plugin configuration.
    public init(
        command: String,
        args: [String] = [],
        env: [HTTPHeader] = [],
        apiVersion: String = "client.authentication.k8s.io/v1",
        installHint: String? = nil,
        provideClusterInfo: Bool = false,
        cluster: ExecClusterInfo? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.cluster = cluster
    }

    /// The API versions of the ExecCredential protocol this client speaks.
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
}

/// The cluster fields an exec plugin may receive in `KUBERNETES_EXEC_INFO`.
public struct ExecClusterInfo: Sendable, Hashable {
    /// The apiserver URL.
    public var server: String
    /// The SNI/verification name override.
    public var tlsServerName: String?
    /// Whether verification is skipped.
    public var insecureSkipTLSVerify: Bool
    /// The CA bundle (PEM).
    public var certificateAuthorityPEM: [UInt8]?
    /// The proxy URL.
    public var proxyURL: String?

    /// Creates cluster info.
    public init(
        server: String, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool = false, certificateAuthorityPEM: [UInt8]? = nil,
        proxyURL: String? = nil
    ) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.proxyURL = proxyURL
    }
}
