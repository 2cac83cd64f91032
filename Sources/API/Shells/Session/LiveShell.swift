import CubicleModel
import Foundation
import Logging
import SSHClient
import Store
import Synchronization

/// One running shell or command: its SSH channel, the output pump, the replay ring, the
/// recording and the one attached client. The decisions come from `ShellLifecycle`; this class
/// carries them out.
final class LiveShell: Sendable {
    /// A client's hold on the session: its id and the outbox its socket drains.
    struct Attachment: Sendable {
        /// The lifecycle's client id.
        let id: UInt64
        /// Frames for this client.
        let outbox: FrameOutbox
    }

    private struct State {
        var lifecycle: ShellLifecycle
        var ring: OutputRing
        var outbox: FrameOutbox?
        var nextClient: UInt64 = 0
        var unflushedIn: Int64 = 0
        var unflushedOut: Int64 = 0
        var expiry: Task<Void, Never>?
    }

    /// The session id clients re-attach with.
    let id: String
    /// Who owns it.
    let username: String
    /// The workspace it runs in.
    let workspace: String
    /// What it runs.
    let options: ShellOptions
    /// The SSH channel.
    let channel: SSHChannel
    /// The recording, when the session is recorded.
    let recorder: AsciicastRecorder?
    private let settings: ShellSettings
    private let store: any CubicleStore
    private let time: any TimeSource
    private let logger: Logger
    private let metrics: ShellMetrics
    private let onFinished: @Sendable (String) -> Void
    private let state: Mutex<State>

    init(
        id: String, username: String, workspace: String, options: ShellOptions, channel: SSHChannel, recorder: AsciicastRecorder?,
        settings: ShellSettings, store: any CubicleStore, time: any TimeSource, logger: Logger, metrics: ShellMetrics,
        onFinished: @escaping @Sendable (String) -> Void
    ) {
        self.metrics = metrics
        self.id = id
        self.username = username
        self.workspace = workspace
        self.options = options
        self.channel = channel
        self.recorder = recorder
        self.settings = settings
        self.store = store
        self.time = time
        self.logger = logger
        self.onFinished = onFinished
        state = Mutex(State(
            lifecycle: ShellLifecycle(detachable: options.tty, detachTTL: settings.detachTTL, now: time.now),
            ring: OutputRing(capacity: settings.replayBytes)))
    }

    /// Whether another client could attach now (for the check before the upgrade).
    func attachability() -> ShellLifecycle.AttachDecision {
        state.withLock { state in
            var probe = state.lifecycle
            return probe.attach(.max)
        }
    }

    /// Attaches a client: its outbox starts with an empty stdout frame (as the kubelet sends),
    /// the kept output, and — for a session that ended meanwhile — the final status.
    func attach() -> Result<Attachment, APIError> {
        let result: Result<Attachment, APIError> = state.withLock { state in
            state.nextClient += 1
            let client = state.nextClient
            switch state.lifecycle.attach(client) {
            case .busy:
                return .failure(APIError(.conflict, .conflict, "session \(id) already has a client attached"))
            case .gone:
                return .failure(APIError(.gone, .gone, "session \(id) has ended"))
            case .attach(let finalStatus):
                state.expiry?.cancel()
                state.expiry = nil
                let outbox = FrameOutbox(limit: settings.outboxBytes)
                outbox.push(ExecFrameCodec.frame(.stdout, []))
                for frame in ExecFrameCodec.frames(.stdout, state.ring.snapshot()) where state.ring.count > 0 { outbox.push(frame) }
                if let finalStatus { outbox.finish(status: ExecFrameCodec.frame(.status, Array(finalStatus.json.utf8)[...])) }
                state.outbox = outbox
                return .success(Attachment(id: client, outbox: outbox))
            }
        }
        checkFinished()
        return result
    }

    /// The client left (socket closed, dropped or refused a frame).
    func detach(_ attachment: Attachment) {
        attachment.outbox.close()
        let decision = state.withLock { state -> ShellLifecycle.DetachDecision in
            let decision = state.lifecycle.detach(attachment.id, now: time.now)
            if decision != .none { state.outbox = nil }
            return decision
        }
        flushUsage()
        switch decision {
        case .keep(let until): scheduleExpiry(until)
        case .terminate: channel.close()
        case .none: break
        }
        checkFinished()
    }

    /// Sends client input to the program (suspends while the SSH window is full).
    func write(_ bytes: [UInt8]) async throws {
        state.withLock { $0.unflushedIn += Int64(bytes.count) }
        metrics.bytesIn.increment(by: bytes.count)
        if settings.recordInput { recorder?.input(bytes) }
        try await channel.write(bytes)
    }

    /// Applies a terminal size.
    func resize(_ size: TerminalSize) {
        guard options.tty else { return }
        channel.resize(cols: size.cols, rows: size.rows)
        recorder?.resize(cols: size.cols, rows: size.rows)
    }

    /// Half-closes stdin.
    func closeStdin() { channel.sendEOF() }

    /// Ends the session now (server shutdown).
    func terminate() {
        let (stop, outbox) = state.withLock { state -> (Bool, FrameOutbox?) in
            state.expiry?.cancel()
            state.expiry = nil
            return (state.lifecycle.terminate(), state.outbox)
        }
        outbox?.close()
        if stop { channel.close() }
        checkFinished()
    }

    /// Ends the session for a reason its client should read (the account was locked): the
    /// attached client gets the output queued so far, an `InternalError` status carrying `reason`
    /// and a normal close; the program is stopped and nothing can re-attach.
    func end(reason: String) {
        let (stop, outbox) = state.withLock { state -> (Bool, FrameOutbox?) in
            state.expiry?.cancel()
            state.expiry = nil
            return (state.lifecycle.terminate(), state.outbox)
        }
        logger.info("ending a shell", metadata: ["session": "\(id)", "reason": "\(reason)"])
        outbox?.finish(status: ExecFrameCodec.frame(.status, Array(ExecStatus.internalError(reason).json.utf8)[...]))
        if stop { channel.close() }
        checkFinished()
    }

    /// Starts reading the program's output on `executor` (the first client's event loop);
    /// runs until the channel ends.
    func startPump(on executor: (any TaskExecutor)? = nil) {
        Task(executorPreference: executor) { await self.pump() }
    }

    private func pump() async {
        let status: ExecStatus
        do {
            for try await chunk in channel.output {
                if chunk.stream == .stdout && !options.stdout || chunk.stream == .stderr && !options.stderr { continue }
                metrics.bytesOut.increment(by: chunk.bytes.count)
                let stream: ExecChannel = chunk.stream == .stderr ? .stderr : .stdout
                let outbox = state.withLock { state -> FrameOutbox? in
                    state.ring.append(chunk.bytes)
                    state.unflushedOut += Int64(chunk.bytes.count)
                    guard let outbox = state.outbox else { return nil }
                    for frame in ExecFrameCodec.frames(stream, chunk.bytes) { outbox.push(frame) }
                    return outbox
                }
                recorder?.output(chunk.bytes)
                await outbox?.waitForRoom()
            }
            status = ExecStatus(try await channel.exitStatus())
        } catch let error as SSHError {
            status = .internalError(error.message)
        } catch {
            status = .internalError("the SSH channel failed")
        }
        let decision = state.withLock { state -> ShellLifecycle.ExitDecision in
            let decision = state.lifecycle.exited(status, now: time.now)
            if case .deliver = decision {
                state.outbox?.finish(status: ExecFrameCodec.frame(.status, Array(status.json.utf8)[...]))
            }
            return decision
        }
        if case .keep(let until) = decision { scheduleExpiry(until) }
        await recorder?.finish()
        await recordEnd()
        checkFinished()
    }

    private func scheduleExpiry(_ deadline: Date) {
        let time = self.time
        let task = Task { [weak self] in
            do { try await time.sleep(until: deadline) } catch { return }
            self?.expire()
        }
        let old = state.withLock { state -> Task<Void, Never>? in
            let old = state.expiry
            state.expiry = task
            return old
        }
        old?.cancel()
    }

    private func expire() {
        let decision = state.withLock { $0.lifecycle.expire(now: time.now) }
        if decision == .terminate {
            logger.info("ending a detached shell after its detach TTL", metadata: ["session": "\(id)"])
            channel.close()
        }
        checkFinished()
    }

    private func checkFinished() {
        if state.withLock({ $0.lifecycle.isFinished }) { onFinished(id) }
    }

    private func takeUsage() -> (Int64, Int64) {
        state.withLock { state in
            defer {
                state.unflushedIn = 0
                state.unflushedOut = 0
            }
            return (state.unflushedIn, state.unflushedOut)
        }
    }

    private func flushUsage() {
        let (bytesIn, bytesOut) = takeUsage()
        guard bytesIn > 0 || bytesOut > 0 else { return }
        let store = self.store
        let id = self.id
        let operation: ShellOperation = options.command.isEmpty ? .shell : .exec
        Task { try? await store.shellSessions.addUsage(sessionID: id, bytesIn: bytesIn, bytesOut: bytesOut, operations: [operation]) }
    }

    private func recordEnd() async {
        let (bytesIn, bytesOut) = takeUsage()
        let operation: ShellOperation = options.command.isEmpty ? .shell : .exec
        do {
            try await store.shellSessions.addUsage(sessionID: id, bytesIn: bytesIn, bytesOut: bytesOut, operations: [operation])
            try await store.shellSessions.end(sessionID: id, at: time.now)
        } catch {
            logger.warning("could not record the end of a shell session", metadata: ["session": "\(id)", "error": "\(error)"])
        }
    }
}
