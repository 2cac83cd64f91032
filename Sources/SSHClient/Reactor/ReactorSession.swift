import CLibSSH
import DequeModule
import Glibc

/// One SSH session as its reactor thread sees it: TCP connect, handshake, keepalive and the
/// channels multiplexed on it. Touched only on the owning reactor thread.
final class ReactorSession {
    enum Phase: Equatable {
        case tcpConnecting
        case handshaking
        case established
        case closed
    }

    let id: UInt64
    let target: SSHTarget
    let options: SSHSessionOptions
    let shared: SessionShared
    unowned let loop: ReactorLoop
    private(set) var phase = Phase.tcpConnecting
    private(set) var raw: ssh_session?
    private var fd: Int32 = -1
    private var connectFDRegistered = false
    private var connectWritable = false
    private var inEvent = false
    private var handshake: Handshake?
    private let counter: UnsafeMutablePointer<ssh_counter_struct>
    private let connectDeadline: Double
    private var connectCompletion: ((Result<Void, SSHError>) -> Void)?
    private var keepalive: KeepaliveStateMachine?
    var channels: [UInt64: ReactorChannel] = [:]
    var waitingForSlot: Deque<ReactorChannel> = []
    var slotsInUse = 0
    var dirtyChannels: Set<UInt64> = []
    var slotFreed = false
    var serverChannelLimit: Int?
    /// When one of our channels last gave its slot back (Monotonic seconds).
    var lastSlotRelease: Double?
    /// When waiting channels should be tried again after a refusal (Monotonic seconds).
    var retryWaitingAt: Double?
    var retiring = false

    init(id: UInt64, target: SSHTarget, options: SSHSessionOptions, shared: SessionShared, loop: ReactorLoop,
         completion: @escaping (Result<Void, SSHError>) -> Void) {
        self.id = id
        self.target = target
        self.options = options
        self.shared = shared
        self.loop = loop
        self.counter = cubicle_counter_new()
        self.connectDeadline = Monotonic.now() + options.connectTimeout
        self.connectCompletion = completion
    }

    deinit {
        cubicle_counter_free(counter)
    }

    /// True while the libssh session exists (channels may still be freed through it).
    var isLibSSHAlive: Bool { raw != nil }

    /// True when the loop must service this session after every poll, not only when marked dirty.
    var wantsServiceEveryPoll: Bool {
        switch phase {
        case .tcpConnecting, .handshaking: true
        case .established: channels.values.contains { $0.isOpening || $0.writeBlocked }
        case .closed: false
        }
    }

    // MARK: Connecting

    /// Starts the TCP connect; progress continues in `service`.
    func start(address: SocketAddress) {
        loop.schedule(at: connectDeadline)
        do {
            switch try TCPConnect.start(address) {
            case .connected(let socket):
                fd = socket
                beginSSH()
            case .inProgress(let socket):
                fd = socket
                let userdata = Unmanaged.passUnretained(self).toOpaque()
                guard ssh_event_add_fd(loop.event, socket, Int16(POLLOUT), connectReadyCallback, userdata) == SSH_OK else {
                    fail(.unreachable(target.endpoint, "cannot watch the socket"))
                    return
                }
                connectFDRegistered = true
            }
        } catch {
            fail(error)
        }
    }

    fileprivate func noteConnectWritable() { connectWritable = true }

    private func unregisterConnectFD() {
        guard connectFDRegistered else { return }
        connectFDRegistered = false
        _ = ssh_event_remove_fd(loop.event, fd)
    }

    private func beginSSH() {
        LibSSH.ensureInitialized()
        guard let session = ssh_new() else {
            fail(.protocolError(target.endpoint, "libssh could not allocate a session"))
            return
        }
        raw = session
        ssh_set_blocking(session, 0)
        do {
            try SessionConfigurator.configure(session, target: target, fd: fd, ciphers: options.ciphers, timeout: nil)
            handshake = try Handshake(session: session, target: target)
        } catch {
            fail(error)
            return
        }
        ssh_set_counters(session, nil, counter)
        phase = .handshaking
        let progress = handshake?.advance() ?? .pending
        if case .failed(let error) = progress {
            fail(error)
            return
        }
        guard ssh_event_add_session(loop.event, session) == SSH_OK else {
            fail(.protocolError(target.endpoint, "cannot add the session to the reactor"))
            return
        }
        inEvent = true
        if case .done = progress { becomeEstablished() }
    }

    private func becomeEstablished() {
        handshake = nil
        phase = .established
        let now = Monotonic.now()
        let machine = KeepaliveStateMachine(interval: options.keepaliveInterval, maxMissed: options.keepaliveMaxMissed,
                                            now: now, packetsReceived: counter.pointee.in_packets)
        keepalive = machine
        loop.schedule(at: machine.nextCheck)
        shared.markReady()
        let completion = connectCompletion
        connectCompletion = nil
        completion?(.success(()))
    }

    // MARK: Servicing

    /// Makes progress after a poll or a command: connect, handshake, channel work.
    func service() {
        switch phase {
        case .tcpConnecting:
            guard connectWritable else { return }
            unregisterConnectFD()
            let code = TCPConnect.pendingError(fd)
            if code != 0 {
                fail(TCPConnect.error(code, target.endpoint))
            } else {
                beginSSH()
            }
        case .handshaking:
            switch handshake?.advance() ?? .pending {
            case .pending: break
            case .done: becomeEstablished()
            case .failed(let error): fail(error)
            }
        case .established:
            serviceChannels()
            if retiring && channels.isEmpty { close(.sessionClosed(target.endpoint)) }
        case .closed:
            break
        }
    }

    /// Checks deadlines and keepalives; returns the next time this session needs a check.
    func checkTimers(now: Double) -> Double? {
        switch phase {
        case .tcpConnecting, .handshaking:
            if now >= connectDeadline {
                let stage = phase == .tcpConnecting ? "TCP connect" : "SSH handshake"
                fail(.connectTimeout(target.endpoint, after: options.connectTimeout, stage: stage))
                return nil
            }
            return connectDeadline
        case .established:
            var next = expireChannelOpens(now: now)
            if var machine = keepalive {
                let action = machine.tick(now: now, packetsReceived: counter.pointee.in_packets)
                keepalive = machine
                switch action {
                case .none: break
                case .sendKeepalive: sendKeepalive()
                case .declareDead(let silence):
                    let seconds = (silence * 10).rounded() / 10
                    die(.sessionDied(target.endpoint, "no reply to keepalives for \(seconds) s"))
                    return nil
                }
                next = min(next ?? machine.nextCheck, machine.nextCheck)
            }
            return next
        case .closed:
            return nil
        }
    }

    /// Sends `keepalive@openssh.com` (answered by the server). libssh keeps one global request
    /// pending at a time: a first call may only collect the previous reply, so a second call
    /// then sends the fresh request.
    private func sendKeepalive() {
        guard let session = raw else { return }
        _ = ssh_send_keepalive(session)
        _ = ssh_send_keepalive(session)
    }

    /// Declares the session dead when libssh has seen the socket fail or the server disconnect;
    /// returns true when it did.
    @discardableResult
    func checkHealth() -> Bool {
        guard phase == .established, let session = raw else { return phase == .closed }
        let status = ssh_get_status(session)
        if ssh_is_connected(session) == 0 || status & Int32(SSH_CLOSED_ERROR) != 0 || status & Int32(SSH_CLOSED) != 0 {
            die(.sessionDied(target.endpoint, describeDisconnect(LibSSH.errorMessage(session))))
            return true
        }
        return false
    }

    private func describeDisconnect(_ detail: String) -> String {
        if detail.contains("disconnected") { return "the server closed the connection" }
        return detail
    }

    // MARK: Ending

    /// Fails a session that never became established.
    private func fail(_ error: SSHError) {
        let completion = connectCompletion
        connectCompletion = nil
        teardown(error)
        completion?(.failure(error))
    }

    /// Ends an established session because it stopped working.
    func die(_ error: SSHError) { teardown(error) }

    /// Ends the session on request; channels end with `error`.
    func close(_ error: SSHError) {
        let completion = connectCompletion
        connectCompletion = nil
        teardown(error)
        completion?(.failure(error))
    }

    private func teardown(_ error: SSHError) {
        guard phase != .closed else { return }
        phase = .closed
        waitingForSlot.removeAll()
        let ending = Array(channels.values)
        for channel in ending { channel.fail(error) }
        channels.removeAll()
        if !ending.isEmpty { shared.releaseChannels(ending.count, now: options.timeSource.now) }
        unregisterConnectFD()
        if let session = raw {
            if inEvent { _ = ssh_event_remove_session(loop.event, session) }
            inEvent = false
            ssh_disconnect(session)
            ssh_free(session)
            raw = nil
        }
        handshake = nil
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        shared.markClosed(error)
        loop.sessionEnded(id)
    }
}

@available(*, unavailable)
extension ReactorSession: Sendable {}

private let connectReadyCallback: ssh_event_callback = { _, _, userdata in
    if let userdata {
        Unmanaged<ReactorSession>.fromOpaque(userdata).takeUnretainedValue().noteConnectWritable()
    }
    return 0
}
