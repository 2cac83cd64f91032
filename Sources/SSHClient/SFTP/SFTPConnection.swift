import CLibSSH
import Foundation
import Glibc

/// One blocking SSH session with its SFTP session, owned by one SFTP worker thread.
final class SFTPConnection {
    let target: SSHTarget
    let configuration: SFTPConfiguration
    let session: ssh_session
    let sftp: sftp_session
    private let fd: Int32
    private let callGuard: CallGuard
    private var extensionChannel: SFTPExtensionChannel?
    private var idleWriteChannels: [SFTPRawChannel] = []
    private var cachedWriteLimit: Int?
    private var closed = false

    private init(target: SSHTarget, configuration: SFTPConfiguration, session: ssh_session, sftp: sftp_session,
                 fd: Int32, callGuard: CallGuard) {
        self.target = target
        self.configuration = configuration
        self.session = session
        self.sftp = sftp
        self.fd = fd
        self.callGuard = callGuard
    }

    deinit { close() }

    /// Connects, authenticates and starts SFTP, blocking the calling worker thread.
    static func open(target: SSHTarget, configuration: SFTPConfiguration) throws(SSHError) -> SFTPConnection {
        LibSSH.ensureInitialized()
        let address = try SocketAddress.resolveBlocking(host: target.host, port: target.port)
        let fd = try TCPConnect.connectBlocking(address, timeout: configuration.connectTimeout)
        guard let session = ssh_new() else {
            Glibc.close(fd)
            throw .protocolError(target.endpoint, "libssh could not allocate a session")
        }
        let callGuard = CallGuard(fd: fd)
        func abandon() {
            callGuard.invalidate()
            ssh_disconnect(session)
            ssh_free(session)
            Glibc.close(fd)
        }
        do throws(SSHError) {
            try SessionConfigurator.configure(session, target: target, fd: fd, ciphers: configuration.ciphers,
                                              timeout: configuration.connectTimeout)
            ssh_set_blocking(session, 1)
            let handshake = try Handshake(session: session, target: target)
            let progress = try callGuard.guarded(timeout: configuration.connectTimeout + 1) { () throws(SSHError) in
                handshake.advance()
            }
            switch progress {
            case .done: break
            case .failed(let error): throw error
            case .pending: throw .connectTimeout(target.endpoint, after: configuration.connectTimeout, stage: "SSH handshake")
            }
            guard let sftp = sftp_new(session) else {
                throw .protocolError(target.endpoint, "cannot open the SFTP channel: \(LibSSH.errorMessage(session))")
            }
            let initialised = try callGuard.guarded(timeout: configuration.connectTimeout) { sftp_init(sftp) }
            guard initialised == SSH_OK else {
                sftp_free(sftp)
                throw .protocolError(target.endpoint, "the server did not start SFTP: \(LibSSH.errorMessage(session))")
            }
            return SFTPConnection(target: target, configuration: configuration, session: session, sftp: sftp, fd: fd,
                                  callGuard: callGuard)
        } catch {
            abandon()
            throw error
        }
    }

    /// Closes SFTP and the session.
    func close() {
        guard !closed else { return }
        closed = true
        extensionChannel = nil
        idleWriteChannels = []
        callGuard.invalidate()
        sftp_free(sftp)
        ssh_disconnect(session)
        ssh_free(session)
        Glibc.close(fd)
    }

    /// True when the connection still works; handles whatever the server sent while idle, so a
    /// server that went away is noticed before a job is sent into a dead socket.
    var isHealthy: Bool {
        guard !closed, !callGuard.tripped, ssh_is_connected(session) != 0 else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 0) > 0, let channel = sftp.pointee.channel {
            _ = ssh_channel_poll_timeout(channel, 0, 0)
        }
        let status = ssh_get_status(session)
        return ssh_is_connected(session) != 0 && status & Int32(SSH_CLOSED_ERROR) == 0 && status & Int32(SSH_CLOSED) == 0
    }

    /// Runs blocking libssh calls under the watchdog.
    func blocking<T>(_ body: () throws(SSHError) -> T) throws(SSHError) -> T {
        try callGuard.guarded(timeout: configuration.operationTimeout, body)
    }

    /// The error for a failed SFTP call on `path`, from the server's status or the session state.
    func error(_ operation: String, _ path: String) -> SSHError {
        if callGuard.tripped {
            return .sessionDied(target.endpoint, "SFTP got no response within \(configuration.operationTimeout) s")
        }
        let status = ssh_get_status(session)
        if ssh_is_connected(session) == 0 || status & Int32(SSH_CLOSED_ERROR) != 0 || status & Int32(SSH_CLOSED) != 0 {
            return .sessionDied(target.endpoint, LibSSH.errorMessage(session))
        }
        let code = UInt32(bitPattern: sftp_get_error(sftp))
        if code == SFTPStatus.ok || code == SFTPStatus.eof {
            // No status from the server: the SFTP channel itself failed (closed, garbled).
            return .sessionDied(target.endpoint, "SFTP \(operation) of \(path) failed: \(LibSSH.errorMessage(session))")
        }
        return SFTPStatus.error(code: code, operation: operation, path: path, detail: LibSSH.errorMessage(session))
    }

    /// The raw extension channel, opened on first use.
    func extensions() throws(SSHError) -> SFTPExtensionChannel {
        if let extensionChannel { return extensionChannel }
        let channel = try blocking { () throws(SSHError) in try SFTPExtensionChannel(session: session) }
        extensionChannel = channel
        return channel
    }

    /// A raw SFTP channel for one upload: an idle one from an earlier upload, or a new one.
    func takeWriteChannel() throws(SSHError) -> SFTPRawChannel {
        while let channel = idleWriteChannels.popLast() {
            if !channel.isBroken { return channel }
        }
        return try blocking { () throws(SSHError) in try SFTPRawChannel(session: session) }
    }

    /// Keeps a channel whose upload finished cleanly (nothing in flight) for the next upload.
    func returnWriteChannel(_ channel: SFTPRawChannel) {
        guard !closed, !channel.isBroken, idleWriteChannels.count < Self.idleWriteChannelLimit else { return }
        idleWriteChannels.append(channel)
    }

    private static let idleWriteChannelLimit = 4

    /// The largest write to send: the configured size, capped by the server's announced limit;
    /// 32 KiB (the size every server must accept) when the server announces none.
    func writeLimit() -> Int {
        if let cachedWriteLimit { return cachedWriteLimit }
        var limit = 32 * 1024
        if sftp_extension_supported(sftp, "limits@openssh.com", "1") != 0,
           let limits = try? blocking({ () throws(SSHError) in try extensions().limits() }), limits.maxWriteLength > 0 {
            limit = Int(clamping: limits.maxWriteLength)
        }
        let chosen = max(1024, min(configuration.writeChunkSize, limit))
        cachedWriteLimit = chosen
        return chosen
    }
}

@available(*, unavailable)
extension SFTPConnection: Sendable {}
