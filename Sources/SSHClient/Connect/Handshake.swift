import CLibSSH

/// Takes a libssh session from a connected socket to an authenticated session: key exchange,
/// host-key pinning and public-key authentication. The same steps serve both modes: in blocking
/// mode `advance` finishes in one call, in non-blocking mode the reactor calls it after every
/// poll until it stops returning `.pending`.
final class Handshake {
    enum Progress {
        case pending
        case done
        case failed(SSHError)
    }

    private enum Step {
        case keyExchange
        case authenticate
        case done
    }

    private let session: ssh_session
    private let target: SSHTarget
    private let clientKey: LibSSHKey
    private let pinnedKey: LibSSHKey
    private var step = Step.keyExchange

    /// Creates the session's handshake; keys are imported on the calling (owner) thread.
    init(session: ssh_session, target: SSHTarget) throws(SSHError) {
        self.session = session
        self.target = target
        self.clientKey = try target.clientKey.libsshKey()
        self.pinnedKey = try target.hostKey.libsshKey()
    }

    /// Makes what progress the socket allows.
    func advance() -> Progress {
        while true {
            switch step {
            case .keyExchange:
                let rc = ssh_connect(session)
                if rc == SSH_AGAIN { return .pending }
                guard rc == SSH_OK else {
                    return .failed(.protocolError(target.endpoint, "key exchange failed: \(LibSSH.errorMessage(session))"))
                }
                if let mismatch = verifyHostKey() { return .failed(mismatch) }
                step = .authenticate
            case .authenticate:
                let rc = ssh_userauth_publickey(session, nil, clientKey.raw)
                switch rc {
                case SSH_AUTH_AGAIN.rawValue:
                    return .pending
                case SSH_AUTH_SUCCESS.rawValue:
                    step = .done
                case SSH_AUTH_DENIED.rawValue:
                    return .failed(.authenticationFailed(target.endpoint, user: target.user))
                case SSH_AUTH_PARTIAL.rawValue:
                    return .failed(.authenticationFailed(target.endpoint, user: target.user,
                                                         detail: "the server requires further authentication methods"))
                default:
                    return .failed(.authenticationFailed(target.endpoint, user: target.user,
                                                         detail: LibSSH.errorMessage(session)))
                }
            case .done:
                return .done
            }
        }
    }

    /// Compares the server's key with the pinned one; never trusts a key on first use.
    private func verifyHostKey() -> SSHError? {
        var raw: ssh_key?
        guard ssh_get_server_publickey(session, &raw) == SSH_OK, let raw else {
            return .protocolError(target.endpoint, "the server presented no host key")
        }
        let serverKey = LibSSHKey.adopting(raw)
        if serverKey.samePublicKey(as: pinnedKey) { return nil }
        return .hostKeyMismatch(
            target.endpoint,
            expected: target.hostKey.description,
            actual: "\(serverKey.fingerprintSHA256()) (\(serverKey.algorithm))"
        )
    }
}

@available(*, unavailable)
extension Handshake: Sendable {}

/// Applies Cubicle's options to a fresh libssh session that will run over `fd`.
enum SessionConfigurator {
    /// Sets options; never reads `~/.ssh/config` or `/etc/ssh/ssh_config`, which must not change
    /// how Cubicle talks to workspaces.
    static func configure(_ session: ssh_session, target: SSHTarget, fd: Int32, ciphers: String,
                          timeout: Double?) throws(SSHError) {
        var processConfig = false
        var one: Int32 = 1
        var port = Int32(clamping: target.port)
        var socket = fd
        var ok = true
        ok = ok && ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &processConfig) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_HOST, target.host) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_PORT, &port) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_FD, &socket) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_NODELAY, &one) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_HOSTKEYS, target.hostKey.hostKeyAlgorithms) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_CIPHERS_C_S, ciphers) == SSH_OK
        ok = ok && ssh_options_set(session, SSH_OPTIONS_CIPHERS_S_C, ciphers) == SSH_OK
        guard ok else {
            throw .invalidArgument("libssh rejected the session options for \(target.endpoint): \(LibSSH.errorMessage(session))")
        }
        guard ssh_options_set(session, SSH_OPTIONS_USER, target.user) == SSH_OK else {
            throw .invalidArgument("'\(target.user)' is not an acceptable SSH user name")
        }
        if let timeout {
            var seconds = Int(timeout.rounded(.up))
            _ = ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds)
        }
    }
}
