import CLibSSH

/// One channel as its reactor thread sees it: the libssh handle, the open sequence
/// (open → pty → env → shell/exec), stdin flushing within the SSH window, and output delivery
/// that stops reading when the consumer lags. Touched only on the owning reactor thread.
///
/// libssh may call this object's callbacks re-entrantly from inside any libssh call on the same
/// event, so callbacks only record facts and hand bytes to the output buffer; they never call
/// libssh. Methods here never call libssh while holding a lock or a mutating access.
final class ReactorChannel {
    enum State: Equatable {
        case queued
        case opening
        case requestingPTY
        case requestingEnvironment(Int)
        case startingProgram
        case open
        case finished
    }

    let id: UInt64
    unowned let session: ReactorSession
    let core: ChannelCore
    let request: ChannelRequest
    let deadline: Double
    private(set) var state = State.queued
    private var raw: ssh_channel?
    private var callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>?
    private var openCompletion: ((Result<Void, SSHError>) -> Void)?
    private var pendingStdout = 0
    private var pendingStderr = 0
    private(set) var remoteClosed = false
    private var eofSent = false
    /// True while stdin bytes wait for the remote window to open.
    private(set) var writeBlocked = false
    private var slotHeld = false
    /// How often the server refused to open this channel so far.
    private var refusals = 0

    /// Refusals tolerated per channel while the server may still be freeing slots of channels
    /// that just ended (sshd frees a session slot only once it has processed our CLOSE).
    private static let maximumRefusals = 40

    /// The size of the pieces kept-back output is handed on in.
    private static let resumeChunkBytes = 32 * 1024

    init(id: UInt64, session: ReactorSession, core: ChannelCore, request: ChannelRequest, deadline: Double,
         completion: @escaping (Result<Void, SSHError>) -> Void) {
        self.id = id
        self.session = session
        self.core = core
        self.request = request
        self.deadline = deadline
        self.openCompletion = completion
    }

    /// True while the open sequence is in progress (the session polls it after every event).
    var isOpening: Bool {
        switch state {
        case .opening, .requestingPTY, .requestingEnvironment, .startingProgram: true
        default: false
        }
    }

    // MARK: Opening

    /// Creates the libssh channel and starts the open sequence; the session calls this when a
    /// channel slot is free.
    func begin(on sessionHandle: ssh_session) {
        guard state == .queued else { return }
        slotHeld = true
        guard let channel = ssh_channel_new(sessionHandle) else {
            failOpen(.channelOpenFailed(session.target.endpoint, "libssh could not allocate a channel"))
            return
        }
        raw = channel
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        guard let table = cubicle_channel_callbacks_new(
            userdata, channelDataCallback, channelEOFCallback, channelCloseCallback,
            channelExitStatusCallback, channelExitSignalCallback
        ) else {
            failOpen(.channelOpenFailed(session.target.endpoint, "out of memory"))
            return
        }
        callbacks = table
        ssh_set_channel_callbacks(channel, table)
        state = .opening
        advanceOpen()
    }

    /// Calls the libssh function of the current open step until it would block.
    func advanceOpen() {
        while let channel = raw, isOpening {
            let rc: Int32
            switch state {
            case .opening:
                rc = ssh_channel_open_session(channel)
                if rc == SSH_OK { state = request.pty == nil ? nextAfterPTY() : .requestingPTY }
            case .requestingPTY:
                let pty = request.pty ?? PTYRequest()
                rc = ssh_channel_request_pty_size(channel, pty.term, pty.clampedCols, pty.clampedRows)
                if rc == SSH_OK { state = nextAfterPTY() }
            case .requestingEnvironment(let index):
                let variable = request.environment[index]
                rc = ssh_channel_request_env(channel, variable.name, variable.value)
                if rc == SSH_OK {
                    state = index + 1 < request.environment.count ? .requestingEnvironment(index + 1) : .startingProgram
                }
            case .startingProgram:
                switch request.program {
                case .shell: rc = ssh_channel_request_shell(channel)
                case .exec(let command): rc = ssh_channel_request_exec(channel, command)
                }
                if rc == SSH_OK { state = .open }
            default:
                return
            }
            if rc == SSH_AGAIN { return }
            if rc != SSH_OK {
                // A request that failed because the connection is gone fails the whole session.
                if session.checkHealth() { return }
                // A refused open while other channels are open is the server's MaxSessions limit
                // (or a slot it has not freed yet): wait for one of ours to end and try again.
                // Right after channels of ours ended, the server may not have freed their slots yet:
                // retry shortly instead of failing.
                if state == .opening, refusals < Self.maximumRefusals,
                   session.slotsInUse > 1 || session.releasedSlotRecently(now: Monotonic.now()) {
                    refusals += 1
                    requeueAfterRefusal()
                    return
                }
                failOpen(.channelOpenFailed(session.target.endpoint, openFailureDetail()))
                return
            }
            if state == .open {
                let completion = openCompletion
                openCompletion = nil
                completion?(.success(()))
                checkFinished()
            }
        }
    }

    private func nextAfterPTY() -> State {
        request.environment.isEmpty ? .startingProgram : .requestingEnvironment(0)
    }

    private func openFailureDetail() -> String {
        let detail = LibSSH.errorMessage(session.raw)
        switch state {
        case .opening: return "the server refused the channel (\(detail))"
        case .requestingPTY: return "the server refused a pseudo-terminal (\(detail))"
        case .requestingEnvironment(let index):
            return "the server refused environment variable \(request.environment[index].name); allow it with AcceptEnv"
        case .startingProgram:
            switch request.program {
            case .shell: return "the server refused to start a shell (\(detail))"
            case .exec: return "the server refused to run the command (\(detail))"
            }
        default: return detail
        }
    }

    /// Fails a channel that never opened (refused, timed out, session gone).
    func failOpen(_ error: SSHError) {
        guard state != .finished else { return }
        let completion = openCompletion
        openCompletion = nil
        release()
        state = .finished
        core.stdin.fail(error)
        core.output.finish(throwing: error)
        core.complete(error: error)
        completion?(.failure(error))
    }

    // MARK: Data flow

    /// Writes queued stdin as far as the remote window allows; sends EOF once drained if asked.
    func flushStdin() {
        core.stdin.beginFlush()
        writeBlocked = false
        while state == .open, let channel = raw, !eofSent {
            let window = Int(ssh_channel_window_size(channel))
            guard let chunk = core.stdin.peek(maximum: max(1, min(window, 256 * 1024))) else {
                if core.stdin.isDrainedWithEOF {
                    eofSent = true
                    _ = ssh_channel_send_eof(channel)
                }
                return
            }
            if window == 0 {
                writeBlocked = true
                return
            }
            let written = chunk.withUnsafeBytes { bytes in
                ssh_channel_write(channel, bytes.baseAddress, UInt32(bytes.count))
            }
            if written < 0 {
                if session.checkHealth() { return }
                if raw != nil { fail(.channelClosed("writing stdin failed: \(LibSSH.errorMessage(session.raw))")) }
                return
            }
            core.stdin.consume(Int(written))
            if Int(written) < chunk.count {
                writeBlocked = true
                return
            }
        }
    }

    /// Takes the output libssh kept back while the consumer lagged, once the consumer has
    /// drained its buffer to the low-water mark.
    ///
    /// The whole kept-back amount is read in one call, even if that briefly overfills the
    /// buffer: `ssh_channel_read` re-opens the SSH window to its full size after every read
    /// without counting what libssh still holds, and a read smaller than what libssh holds makes
    /// it compute the window from an unsigned underflow (a ~4 GiB window). Either way the remote
    /// could then send without bound. Emptying libssh's buffer keeps what it holds plus the
    /// window under two windows, and our buffer under its limit plus that.
    func resumeOutput() {
        for stream in [SSHStream.stdout, .stderr] {
            guard let channel = raw, state != .finished else { break }
            let pending = stream == .stdout ? pendingStdout : pendingStderr
            guard pending > 0 else { continue }
            let isStderr: Int32 = stream == .stderr ? 1 : 0
            let held = Int(ssh_channel_poll(channel, isStderr))
            guard held > 0 else {
                setPending(stream, 0)
                continue
            }
            // Read into the loop's reusable buffer, then hand on pieces of ordinary size: one
            // megabyte-sized array per resume would push glibc's mmap threshold up and
            // fragment the heap (peak RSS then creeps up with the output size).
            let scratch = session.loop.scratchBuffer(capacity: held)
            let count = Int(ssh_channel_read_timeout(channel, scratch.baseAddress, UInt32(held), isStderr, 0))
            guard raw != nil else { break }
            if count > 0 {
                _ = core.output.reserve(count)
                var start = 0
                while start < count {
                    let end = min(count, start + Self.resumeChunkBytes)
                    let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: scratch[start..<end]))
                    core.output.yield(SSHChunk(stream: stream, bytes: bytes), bytes: bytes.count)
                    start = end
                }
            }
            // Only now ask what libssh still holds (zero would lose the tail of a fast stream
            // once the remote closed). With its buffer empty, ssh_channel_poll processes incoming
            // packets, and their data callback hands newer bytes on: asked before the bytes just
            // read were handed on, it put newer output ahead of older.
            setPending(stream, max(0, Int(ssh_channel_poll(channel, isStderr))))
            guard raw != nil else { break }
        }
        checkFinished()
    }

    /// Changes the PTY size (a `window-change` request; no reply is awaited).
    func resize(cols: Int32, rows: Int32) {
        guard state == .open, let channel = raw else { return }
        _ = ssh_channel_change_pty_size(channel, cols, rows)
    }

    // MARK: Ending

    /// Finishes once the server has closed the channel and every byte reached the buffer.
    func checkFinished() {
        guard state == .open, remoteClosed, pendingStdout == 0, pendingStderr == 0 else { return }
        finish(nil)
    }

    /// Ends the channel on the caller's request; the program sees its channel close.
    func closeLocally() {
        if isOpening || state == .queued {
            failOpen(.channelClosed("closed before it opened"))
        } else {
            finish(nil)
        }
    }

    /// Ends the channel with `error` (session died, write failed).
    func fail(_ error: SSHError) {
        if isOpening || state == .queued { failOpen(error) } else { finish(error) }
    }

    private func finish(_ error: SSHError?) {
        guard state != .finished else { return }
        release()
        state = .finished
        core.stdin.fail(error ?? .channelClosed("the channel has ended"))
        core.output.finish(throwing: error)
        core.complete(error: error)
    }

    private func requeueAfterRefusal() {
        release(refused: true)
        state = .queued
        session.requeue(self)
        // No channel of ours is left whose end would free a slot: try again after a short pause.
        if session.slotsInUse == 0 { session.retryWaitingChannels(at: Monotonic.now() + 0.05) }
    }

    /// Detaches callbacks, frees the libssh channel (libssh sends CLOSE if needed) and gives
    /// the channel slot back.
    private func release(refused: Bool = false) {
        if let channel = raw {
            raw = nil
            if let table = callbacks {
                _ = ssh_remove_channel_callbacks(channel, table)
                cubicle_channel_callbacks_free(table)
                callbacks = nil
            }
            if session.isLibSSHAlive { ssh_channel_free(channel) }
        }
        if slotHeld {
            slotHeld = false
            session.channelReleasedSlot(self, refused: refused)
        }
    }

    // MARK: Callbacks (recording only)

    func onData(_ data: UnsafeMutableRawPointer?, _ length: UInt32, _ isStderr: Bool) -> Int32 {
        let stream: SSHStream = isStderr ? .stderr : .stdout
        let available = Int(length)
        guard state != .finished, let data, available > 0 else { return Int32(clamping: available) }
        let granted = core.output.reserve(available)
        if granted > 0 {
            let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: granted))
            core.output.yield(SSHChunk(stream: stream, bytes: bytes), bytes: granted)
        }
        setPending(stream, available - granted)
        return Int32(granted)
    }

    func onClose() {
        remoteClosed = true
        session.markChannelDirty(id)
    }

    private func setPending(_ stream: SSHStream, _ value: Int) {
        if stream == .stdout { pendingStdout = value } else { pendingStderr = value }
    }
}

@available(*, unavailable)
extension ReactorChannel: Sendable {}

private func channel(_ userdata: UnsafeMutableRawPointer?) -> ReactorChannel? {
    guard let userdata else { return nil }
    return Unmanaged<ReactorChannel>.fromOpaque(userdata).takeUnretainedValue()
}

private let channelDataCallback: cubicle_channel_data_cb = { _, _, data, length, isStderr, userdata in
    channel(userdata)?.onData(data, length, isStderr != 0) ?? Int32(clamping: length)
}

private let channelEOFCallback: cubicle_channel_eof_cb = { _, _, _ in }

private let channelCloseCallback: cubicle_channel_close_cb = { _, _, userdata in
    channel(userdata)?.onClose()
}

private let channelExitStatusCallback: cubicle_channel_exit_status_cb = { _, _, status, userdata in
    channel(userdata)?.core.recordExit(SSHExit(code: status))
}

private let channelExitSignalCallback: cubicle_channel_exit_signal_cb = { _, _, signal, core, message, _, userdata in
    let name = signal.map { String(cString: $0) } ?? "unknown"
    let text = message.map { String(cString: $0) }
    channel(userdata)?.core.recordExit(SSHExit(signal: name, coreDumped: core != 0, errorMessage: text?.isEmpty == true ? nil : text))
}
