import Blueprints
import CubicleMetrics
import CubicleModel
import Logging
import Provisioner
import Store

/// What the API's handlers work with.
public struct APIDependencies: Sendable {
    /// The store.
    public var store: any CubicleStore
    /// The provisioner.
    public var provisioner: Provisioner
    /// The current blueprints.
    public var catalog: @Sendable () -> BlueprintCatalog
    /// Checks that the Kubernetes API answers; throws with the reason when not.
    public var clusterCheck: @Sendable () async throws -> Void
    /// The clock.
    public var time: any TimeSource
    /// SSH to running workspaces (shells, files, the agent).
    public var connector: WorkspaceConnector
    /// The health of the blueprint set (the last load's first error, if any).
    public var blueprintStatus: @Sendable () -> BlueprintStatus
    /// Limits of the file endpoints.
    public var files = FileSettings()
    /// Limits of exec and the wrapper it runs commands under.
    public var exec = ExecSettings()
    /// Live interactive shells.
    public var shells: ShellRegistry
    /// Sign-in providers, sessions and internal token keys.
    public var auth: AuthServices
    /// What `/metrics` shows and who may see it.
    public var metrics: APIMetrics

    /// Refuses changes that would leave no admin able to get in.
    var adminAccess: AdminAccessGuard { AdminAccessGuard(store: store, settings: auth.settings, time: time) }

    /// Creates the set.
    public init(
        store: any CubicleStore, provisioner: Provisioner, catalog: @escaping @Sendable () -> BlueprintCatalog,
        clusterCheck: @escaping @Sendable () async throws -> Void, connector: WorkspaceConnector,
        time: any TimeSource = SystemTimeSource(), blueprintStatus: @escaping @Sendable () -> BlueprintStatus = { .ok },
        shellSettings: ShellSettings = ShellSettings(), auth: AuthServices = AuthServices(),
        metrics: MetricsRegistry = MetricsRegistry(), shellLogger: Logger = Logger(label: "cubicle.shells")
    ) {
        self.auth = auth
        self.store = store
        self.provisioner = provisioner
        self.catalog = catalog
        self.clusterCheck = clusterCheck
        self.time = time
        self.connector = connector
        self.blueprintStatus = blueprintStatus
        self.metrics = APIMetrics(registry: metrics)
        shells = ShellRegistry(settings: shellSettings, store: store, time: time, logger: shellLogger, metrics: metrics)
    }

    /// The workspace name if it exists and the caller may see it; 404 otherwise (another user's
    /// workspace is indistinguishable from a missing one).
    func visibleWorkspace(_ name: String, for caller: Caller) throws -> String {
        guard DNSLabel.isValid(name), let owner = provisioner.owner(of: name), caller.mayAccess(owner: owner) else {
            throw APIError.notFound("workspace \"\(name.prefix(80))\" not found")
        }
        return name
    }
}
