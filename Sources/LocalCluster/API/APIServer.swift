import CubicleModel
import Logging
import NIOHTTP1
import Synchronization

/// The request dispatcher of the API server: health and version (public), authentication,
/// discovery and OpenAPI, the fault endpoints when enabled, and the resource verbs. Every
/// failure becomes a Kubernetes `Status`; handlers never throw anything else.
final class APIServer: Sendable {
    /// Tunables of request handling.
    struct Settings: Sendable {
        var faultEndpoints: Bool
        var bookmarkInterval: Double
        var watchTimeout: Double
        var watchBufferLimit: Int
    }

    /// Authorization: the RBAC authorizer when enforced, and who hears about each decision.
    struct Access: Sendable {
        var authorizer: RBACAuthorizer?
        var observer: (@Sendable (AccessRecord) -> Void)?

        /// Whether anyone enforces or hears decisions (else authorization costs nothing).
        var isActive: Bool { authorizer != nil || observer != nil }
    }

    let registry: Registry
    let authenticator: Authenticator
    let access: Access
    let faults: ClusterFaults
    let tokens: ServiceAccountTokens
    let settings: Settings
    let logger: Logger
    let discovery: DiscoveryDocuments
    let openAPI: OpenAPIDocuments
    private let address = Mutex("127.0.0.1:0")

    init(
        registry: Registry, authenticator: Authenticator, faults: ClusterFaults, tokens: ServiceAccountTokens,
        access: Access = Access(), settings: Settings, logger: Logger
    ) {
        self.registry = registry
        self.access = access
        self.authenticator = authenticator
        self.faults = faults
        self.tokens = tokens
        self.settings = settings
        self.logger = logger
        discovery = DiscoveryDocuments(catalog: registry.catalog)
        openAPI = OpenAPIDocuments(catalog: registry.catalog)
    }

    /// Records the bound `host:port` for discovery documents.
    func setServerAddress(_ hostPort: String) {
        address.withLock { $0 = hostPort }
    }

    /// Answers one request.
    func handle(_ request: HTTPRequest) async -> APIResponse {
        let target = RequestTarget(uri: request.uri)
        let route = Router.route(target.segments, catalog: registry.catalog)
        switch route {
        case .health:
            return request.method == .GET || request.method == .HEAD ? .text(.ok, "ok") : .failure(.methodNotAllowed)
        case .version:
            return request.method == .GET ? .json(.ok, ClusterVersion.document) : .failure(.methodNotAllowed)
        default:
            break
        }
        do throws(LocalClusterError) {
            let user = try authenticator.authenticate(request)
            let response = try serve(route, request, target, user: user)
            logger.trace("request", metadata: ["method": "\(request.method)", "uri": "\(request.uri)", "user": "\(user.name)"])
            return response
        } catch {
            logger.debug(
                "request failed",
                metadata: ["method": "\(request.method)", "uri": "\(request.uri)", "status": "\(error.httpStatus)"]
            )
            return .failure(error)
        }
    }

    private func serve(
        _ route: Route, _ request: HTTPRequest, _ target: RequestTarget, user: UserInfo
    ) throws(LocalClusterError) -> APIResponse {
        if case .resource(let resourceRoute) = route {
            return try serveResource(resourceRoute, request, target, user: user)
        }
        if case .faults(let path) = route {
            guard settings.faultEndpoints else { throw .unknownPath }
            return try FaultEndpoints(faults: faults).handle(path, method: request.method, body: request.body)
        }
        guard request.method == .GET else { throw .methodNotAllowed }
        if let failure = faults.failure(verb: "get", resource: "") { throw failure }
        guard let format = ResponseFormat(accept: request.header("accept")) else {
            throw .notAcceptable("application/json")
        }
        switch route {
        case .coreVersions:
            if format == .aggregatedDiscovery {
                return .json(.ok, discovery.aggregated(core: true), contentType: format.contentType)
            }
            return .json(.ok, discovery.coreVersions(serverAddress: address.withLock { $0 }))
        case .groupList:
            if format == .aggregatedDiscovery {
                return .json(.ok, discovery.aggregated(core: false), contentType: format.contentType)
            }
            return .json(.ok, discovery.groupList)
        case .group(let name):
            guard let document = discovery.group(name) else { throw .unknownPath }
            return .json(.ok, document)
        case .resourceList(let group, let version):
            guard let document = discovery.resourceList(group: group, version: version) else { throw .unknownPath }
            return .json(.ok, document)
        case .openAPIv3Index:
            return .json(.ok, openAPI.index)
        case .openAPIv3(let path):
            guard let document = openAPI.document(path: path) else { throw .unknownPath }
            return .json(.ok, document)
        case .openAPIv2, .notFound, .health, .version, .resource, .faults:
            throw .unknownPath
        }
    }
}
