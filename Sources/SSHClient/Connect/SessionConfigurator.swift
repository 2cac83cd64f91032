import CLibSSH
import Glibc

/// Applies Cubicle's options to a fresh libssh session that will run over `fd`.
///
/// libssh closes the socket it was given when the session disconnects or is freed, and the
/// callers close `fd` themselves too. Closing one descriptor twice is a bug that bites when the
/// number has been reused in between (NIO's sockets in the same process then die with EBADF), so
/// libssh gets a duplicate of its own: each descriptor is closed exactly once.
enum SessionConfigurator {
    /// Sets options; never reads `~/.ssh/config` or `/etc/ssh/ssh_config`, which must not change
    /// how Cubicle talks to workspaces.
    static func configure(_ session: ssh_session, target: SSHTarget, fd: Int32, ciphers: String,
                          timeout: Double?) throws(SSHError) {
        var processConfig = false
        var one: Int32 = 1
        var port = Int32(clamping: target.port)
        var socket = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard socket >= 0 else {
            throw .invalidArgument("cannot duplicate the socket for \(target.endpoint): errno \(errno)")
        }
        // Until ssh_connect the session has not taken the duplicate over; a failure here frees it.
        var attached = false
        defer { if !attached { _ = Glibc.close(socket) } }
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
        attached = true
    }
}
