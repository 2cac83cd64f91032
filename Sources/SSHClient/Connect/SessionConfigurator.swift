import CLibSSH

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
