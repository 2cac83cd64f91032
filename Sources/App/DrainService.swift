import ServiceLifecycle

/// Does nothing until the server shuts down gracefully, then runs `drain` — ending what would
/// otherwise hold the shutdown open (interactive shells, whose WebSockets ignore the HTTP
/// server's quiescing).
struct DrainService: Service {
    let drain: @Sendable () async -> Void

    func run() async throws {
        // Cancelled (not shut down gracefully): the group is going away anyway; drain all the same.
        try? await gracefulShutdown()
        await drain()
    }
}
