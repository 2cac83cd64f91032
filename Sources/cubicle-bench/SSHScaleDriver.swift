import Foundation

/// The reference side of `shell-scale`: the same sessions over OpenSSH straight to the
/// workspace sshd — `ceil(sessions / perMaster)` ControlMaster connections, one `ssh -S sock
/// -tt` mux client process per session — driven by one poll loop on the calling thread.
struct SSHScaleDriver {
    /// What the reference run measured, beside the load result.
    struct Outcome: Sendable {
        let result: ScaleResult
        /// CPU seconds of every ssh process (masters and clients) over the steady phase.
        let sshCPU: Double
        /// Total RSS of every ssh process at the end of the steady phase, bytes.
        let sshRSS: Int
        /// ControlMaster connections (TCP connections to sshd).
        let masters: Int
    }

    private struct Session {
        let child: Child
        var seen: [UInt8] = []
        var open = false
        var done = false
        var failure: String?
        var ledger = EchoLedger()
        var pending: [UInt8] = []
        var nextWrite = 0.0
        var interrupted = false
    }

    let workspace: BenchWorkspace
    let load: ScaleLoad
    /// Sessions per ControlMaster connection (sshd allows `MaxSessions 256`).
    let perMaster: Int

    /// Runs the whole reference phase on the calling thread (blocking).
    func run() throws -> Outcome {
        let masterCount = (load.sessions + perMaster - 1) / perMaster
        let log = "\(workspace.scratch)/ssh-scale.log"
        var masters: [Child] = []
        var sessions: [Session] = []
        defer {
            for session in sessions where !session.done { session.child.kill(SIGKILL) }
            for session in sessions {
                session.child.closePipes()
                session.child.wait()
            }
            for master in masters {
                master.kill()
                master.closePipes()
                master.wait()
            }
        }
        for index in 0..<masterCount {
            let socket = "\(workspace.scratch)/mux\(index)"
            masters.append(try Child.spawn(
                "/usr/bin/ssh",
                workspace.sshOptions + ["-n", "-N", "-o", "ControlMaster=yes", "-o", "ControlPersist=no", "-S", socket,
                                        "\(workspace.user)@\(workspace.podIP)"],
                stderr: log))
            let deadline = monotonicSeconds() + 20
            while !FileManager.default.fileExists(atPath: socket) {
                guard monotonicSeconds() < deadline else { throw BenchError("ControlMaster \(index) did not come up (see \(log))") }
                usleep(20_000)
            }
        }
        let command = ShellPrograms.commandLine(ShellPrograms.echo)
        for index in 0..<load.sessions {
            let socket = "\(workspace.scratch)/mux\(index / perMaster)"
            let child = try Child.spawn(
                "/usr/bin/ssh", workspace.sshOptions + ["-S", socket, "-tt", "\(workspace.user)@\(workspace.podIP)", command], stderr: log,
                terminalInput: true)
            for fd in [child.stdin, child.stdout] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            sessions.append(Session(child: child))
        }

        // Ramp: every session prints its ready marker, fails, or the open timeout passes.
        let rampStart = monotonicSeconds()
        while sessions.contains(where: { !$0.open && !$0.done }), monotonicSeconds() - rampStart < load.openTimeout {
            pump(&sessions, timeout: 20)
        }
        for index in sessions.indices where !sessions[index].open && !sessions[index].done {
            sessions[index].done = true
            sessions[index].failure = "not open within the open timeout"
            sessions[index].child.kill(SIGKILL)
        }
        let opened = sessions.filter(\.open).count
        let pids = masters.map(\.pid) + sessions.filter(\.open).map(\.child.pid)
        let start = monotonicSeconds() + 0.2
        let end = start + load.seconds
        let driverStart = ProcessStats.cpuSeconds(of: "thread-self")
        let sshStart = pids.reduce(0) { $0 + ProcessStats.cpuSeconds(of: String($1)) }
        for index in sessions.indices {
            sessions[index].nextWrite = start + Double(index % 97) / 97 * load.interval
        }
        let payload = load.payload
        var sshCPU = 0.0
        var sshRSS = 0
        var driverCPU = 0.0
        var stopping = false
        var drainDeadline = Double.infinity
        while sessions.contains(where: { !$0.done }), monotonicSeconds() < drainDeadline + 5 {
            let now = monotonicSeconds()
            if now >= end, !stopping {
                stopping = true
                drainDeadline = now + 5
                sshCPU = pids.reduce(0) { $0 + ProcessStats.cpuSeconds(of: String($1)) } - sshStart
                sshRSS = pids.reduce(0) { $0 + ProcessStats.rss(of: $1) }
                driverCPU = ProcessStats.cpuSeconds(of: "thread-self") - driverStart
            }
            var nextDue = now + 0.01
            for index in sessions.indices where sessions[index].open && !sessions[index].done {
                if !stopping, now >= sessions[index].nextWrite {
                    sessions[index].pending += payload
                    sessions[index].ledger.wrote(payload.count, at: now)
                    sessions[index].nextWrite += load.interval
                }
                if stopping, !sessions[index].interrupted, sessions[index].ledger.caughtUp || now >= drainDeadline {
                    sessions[index].pending.append(ShellPrograms.interrupt)
                    sessions[index].interrupted = true
                }
                flush(&sessions[index])
                if !stopping { nextDue = min(nextDue, sessions[index].nextWrite) }
            }
            pump(&sessions, timeout: Int32(max(0, min(10, (nextDue - monotonicSeconds()) * 1000))), phaseEnd: end)
        }
        var result = ScaleResult()
        result.opened = opened
        var latencies: [Double] = []
        for session in sessions {
            result.bytesSent += session.ledger.sent
            result.bytesReceived += session.ledger.received
            latencies += session.ledger.latencies
            if let failure = session.failure ?? (session.done ? nil : "still running after the drain") {
                result.drops += 1
                if result.reasons.count < 5, !result.reasons.contains(failure) { result.reasons.append(failure) }
            } else {
                result.completed += 1
            }
        }
        result.echoP50 = percentile(latencies, 0.5)
        result.echoP99 = percentile(latencies, 0.99)
        result.samples = latencies.count
        result.steadySeconds = load.seconds
        result.driverCPU = driverCPU
        return Outcome(result: result, sshCPU: sshCPU, sshRSS: sshRSS, masters: masterCount)
    }

    /// Writes what a session has pending without blocking.
    private func flush(_ session: inout Session) {
        guard !session.pending.isEmpty else { return }
        let written = session.pending.withUnsafeBytes { Glibc.write(session.child.stdin, $0.baseAddress!, $0.count) }
        if written > 0 {
            session.pending.removeFirst(written)
        } else if written < 0, errno != EAGAIN, errno != EINTR {
            session.done = true
            session.failure = "writing to ssh failed: errno \(errno)"
        }
    }

    /// Waits up to `timeout` ms for output and reads every readable session; before the phase
    /// (`phaseEnd` nil) output is matched against the ready marker, during it counted as echo.
    private func pump(_ sessions: inout [Session], timeout: Int32, phaseEnd: Double? = nil) {
        var indices: [Int] = []
        var fds: [pollfd] = []
        for index in sessions.indices where !sessions[index].done {
            indices.append(index)
            fds.append(pollfd(fd: sessions[index].child.stdout, events: Int16(POLLIN), revents: 0))
        }
        guard !fds.isEmpty else { return }
        guard poll(&fds, nfds_t(fds.count), timeout) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let now = monotonicSeconds()
        for (slot, descriptor) in fds.enumerated() where descriptor.revents != 0 {
            let index = indices[slot]
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor.fd, $0.baseAddress!, $0.count) }
            if count > 0 {
                if sessions[index].open {
                    sessions[index].ledger.read(count, at: now)
                } else {
                    sessions[index].seen += buffer[0..<count]
                    if sessions[index].seen.firstRange(of: ShellPrograms.ready) != nil { sessions[index].open = true }
                }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                sessions[index].done = true
                if !sessions[index].open {
                    sessions[index].failure = "ssh ended before opening: \(String(decoding: sessions[index].seen.suffix(120), as: UTF8.self))"
                } else if let phaseEnd, now < phaseEnd {
                    sessions[index].failure = String(format: "ssh ended %.1f s early", phaseEnd - now)
                } else if phaseEnd == nil {
                    sessions[index].failure = "ssh ended before the phase"
                }
            }
        }
    }
}
