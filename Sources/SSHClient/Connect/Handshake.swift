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
