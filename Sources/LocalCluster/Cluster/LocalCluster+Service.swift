import ServiceLifecycle

/// Runs the cluster as a service in a `ServiceGroup`: started (unless already running) and
/// stopped on graceful shutdown or cancellation.
extension LocalCluster: Service {
    /// Serves until graceful shutdown, then shuts down.
    public func run() async throws {
        if address == nil { _ = try await start() }
        try? await gracefulShutdown()
        await shutdown()
    }
}
