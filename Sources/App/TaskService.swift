import ServiceLifecycle

/// A long-running piece of the server (the provisioner, the blueprint watcher, the kubelet) as a
/// `Service`: it runs until cancelled, and stops on graceful shutdown.
struct TaskService: Service {
    let name: String
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}
