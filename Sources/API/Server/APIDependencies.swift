import Blueprints
import CubicleModel
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

    /// Creates the set.
    public init(
        store: any CubicleStore, provisioner: Provisioner, catalog: @escaping @Sendable () -> BlueprintCatalog,
        clusterCheck: @escaping @Sendable () async throws -> Void, time: any TimeSource = SystemTimeSource()
    ) {
        self.store = store
        self.provisioner = provisioner
        self.catalog = catalog
        self.clusterCheck = clusterCheck
        self.time = time
    }
}
