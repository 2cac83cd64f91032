/// An authenticated SSH session on a reactor thread. Open shells and exec channels on it; many
/// may run at once (up to `SSHSessionOptions.maxChannels`, more wait for a slot). The session
/// closes when `close()` is called, when it dies (peer gone, keepalives unanswered) or when the
/// last reference to it (including its channels' references) goes away.
public final class SSHSession: Sendable {
    /// Where the session goes.
    public let target: SSHTarget
    /// How it was set up.
    public let options: SSHSessionOptions
    let id: UInt64
    let thread: ReactorThread
    let shared: SessionShared
    let reactor: SSHReactor

    init(thread: ReactorThread, id: UInt64, target: SSHTarget, options: SSHSessionOptions, shared: SessionShared,
         reactor: SSHReactor) {
        self.thread = thread
        self.id = id
        self.target = target
        self.options = options
        self.shared = shared
        self.reactor = reactor
    }

    deinit {
        let id = self.id
        let endpoint = target.endpoint
        thread.post { loop in loop.session(id)?.close(.sessionClosed(endpoint)) }
    }

    /// True while new channels can be opened.
    public var isUsable: Bool { shared.isUsable }

    /// Why the session ended, once it has.
    public var failure: SSHError? { shared.failure }

    /// Channels currently open or opening.
    public var channelCount: Int { shared.channelCount }

    /// Opens an interactive shell, with a PTY unless `pty` is nil.
    public func openShell(pty: PTYRequest? = PTYRequest(), environment: [String: String] = [:]) async throws -> SSHChannel {
        try await openShell(pty: pty, environment: environment, reserved: false)
    }

    /// `openShell` for a caller that already counted the channel (`reserved`).
    func openShell(pty: PTYRequest?, environment: [String: String], reserved: Bool) async throws -> SSHChannel {
        try await openChannel(ChannelRequest(program: .shell, pty: pty, environment: sorted(environment)), reserved: reserved)
    }

    /// Runs `command` through the user's shell on the server; with `pty` it gets a terminal.
    public func exec(_ command: String, pty: PTYRequest? = nil, environment: [String: String] = [:]) async throws -> SSHChannel {
        try await exec(command, pty: pty, environment: environment, reserved: false)
    }

    /// `exec` for a caller that already counted the channel (`reserved`).
    func exec(_ command: String, pty: PTYRequest?, environment: [String: String], reserved: Bool) async throws -> SSHChannel {
        guard !command.isEmpty, !command.contains("\0") else {
            if reserved { shared.releaseChannels(1, now: options.timeSource.now) }
            throw SSHError.invalidArgument("the command must be non-empty and free of NUL bytes")
        }
        return try await openChannel(ChannelRequest(program: .exec(command), pty: pty, environment: sorted(environment)), reserved: reserved)
    }

    /// Closes the session now; its channels end with `session_closed`.
    public func close() {
        shared.beginClose()
        let id = self.id
        let endpoint = target.endpoint
        thread.post { loop in loop.session(id)?.close(.sessionClosed(endpoint)) }
    }

    /// Stops new channels and closes the session once its current channels have ended.
    func closeWhenIdle() {
        shared.beginClose()
        let id = self.id
        thread.post { loop in loop.session(id)?.retire() }
    }

    private func openChannel(_ request: ChannelRequest, reserved: Bool) async throws -> SSHChannel {
        for variable in request.environment where variable.name.isEmpty || variable.name.contains("=") {
            if reserved { shared.releaseChannels(1, now: options.timeSource.now) }
            throw SSHError.invalidArgument("'\(variable.name)' is not a valid environment variable name")
        }
        if !reserved { try shared.reserveChannel(endpoint: target.endpoint) }
        let channelID = reactor.makeID()
        let core = ChannelCore(outputLimit: options.outputBufferBytes, stdinLimit: options.stdinQueueBytes)
        let channel = SSHChannel(session: self, id: channelID, core: core)
        let sessionID = id
        let thread = self.thread
        let shared = self.shared
        let endpoint = target.endpoint
        let now = options.timeSource.now
        core.output.setOnDrained {
            thread.post { loop in loop.session(sessionID)?.withChannel(channelID) { $0.resumeOutput() } }
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let posted = thread.post { loop in
                    guard let session = loop.session(sessionID) else {
                        let error = shared.failure ?? .sessionClosed(endpoint)
                        shared.releaseChannels(1, now: now)
                        core.output.finish(throwing: error)
                        core.complete(error: error)
                        continuation.resume(throwing: error)
                        return
                    }
                    session.openChannel(id: channelID, core: core, request: request) { result in
                        continuation.resume(with: result.mapError { $0 as any Error })
                    }
                }
                if !posted {
                    shared.releaseChannels(1, now: now)
                    continuation.resume(throwing: SSHError.shutDown("the SSH reactor"))
                }
            }
        } onCancel: {
            thread.post { loop in loop.session(sessionID)?.withChannel(channelID) { $0.closeLocally() } }
        }
        return channel
    }

    private func sorted(_ environment: [String: String]) -> [(name: String, value: String)] {
        environment.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}
