import CubicleModel
import Foundation
import Logging

/// A Kubernetes REST client over libcurl: typed and unstructured CRUD, server-side apply,
/// list + watch with resume, TokenRequest. Every request goes through one choke point that knows
/// its (verb, group, resource, subresource), handles authentication refresh on 401 and retries
/// transient failures.
public final class KubeClient: Sendable {
    /// Where and as whom the client talks.
    public let config: KubeConfig
    /// The reactor carrying the requests.
    public let reactor: CurlReactor
    let credentials: CredentialProvider
    let retryPolicy: RetryPolicy
    let timeSource: any TimeSource
    let bufferLimits: BufferLimits
    let logger: Logger
    let random: @Sendable () -> Double
    private let ownsReactor: Bool
    let observer: (@Sendable (RequestRecord) -> Void)?

    /// Creates a client. Pass a shared `reactor` to run several clients on one thread (its owner
    /// shuts it down); otherwise the client starts its own and `shutdown()` stops it.
    /// `environment` is what exec credential plugins inherit.
    public init(
        config: KubeConfig,
        reactor: CurlReactor? = nil,
        retryPolicy: RetryPolicy = .standard,
        timeSource: any TimeSource = SystemTimeSource(),
        bufferLimits: BufferLimits = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "cubicle.kubeclient"),
        requestObserver: (@Sendable (RequestRecord) -> Void)? = nil
    ) throws {
        self.config = config
        if let reactor {
            self.reactor = reactor
            ownsReactor = false
        } else {
            self.reactor = try CurlReactor(logger: logger)
            ownsReactor = true
        }
        credentials = CredentialProvider(auth: config.auth, timeSource: timeSource, environment: environment, logger: logger)
        self.retryPolicy = retryPolicy
        self.timeSource = timeSource
        self.bufferLimits = bufferLimits
        self.logger = logger
        self.random = { Double.random(in: 0..<1) }
        observer = requestObserver
    }

    /// The namespace operations use when they name none.
    public var namespace: String { config.namespace }

    /// Stops the client's own reactor (aborting in-flight requests); a shared reactor is left alone.
    public func shutdown() async {
        if ownsReactor { await reactor.shutdown() }
    }

    /// Pass as `namespace` to list or watch a namespaced resource across all namespaces.
    public static let allNamespaces = ""
}

/// What the request choke point reports for every logical request (retries are not repeated).
public struct RequestRecord: Sendable, Hashable {
    /// The verb.
    public var verb: Verb
    /// The resource, with its subresource.
    public var resource: ResourceType
    /// The namespace, for namespaced resources.
    public var namespace: String?
    /// The object name, for single-object requests.
    public var name: String?

    /// The RBAC permission this request needs.
    public var permission: Permission { Permission(verb: verb, resource: resource) }
}
