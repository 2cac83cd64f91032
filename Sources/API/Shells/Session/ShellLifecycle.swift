import Foundation

/// The life of one shell session as a plain state machine: attach, detach, exit and expiry in,
/// decisions out; `ShellSession` performs them. A TTY session outlives its WebSocket for
/// `detachTTL` seconds; a command without a TTY ends with its connection. One client at a time.
struct ShellLifecycle: Sendable, Equatable {
    /// Where the program is.
    enum Phase: Equatable, Sendable {
        /// The program runs.
        case running
        /// It ended while nobody was attached; the status waits for a re-attach.
        case exited(ExecStatus)
        /// Over: the status was delivered or the session was ended; nothing can attach.
        case closed
    }

    /// What `attach` decided.
    enum AttachDecision: Equatable, Sendable {
        /// Attach: replay the kept output, then stream live; with a status, deliver it and close.
        case attach(finalStatus: ExecStatus?)
        /// Another client is attached (409).
        case busy
        /// The session has ended (410).
        case gone
    }

    /// What `detach` decided.
    enum DetachDecision: Equatable, Sendable {
        /// Keep the program running unattended until the deadline.
        case keep(until: Date)
        /// End the program now (no TTY, or no detach time).
        case terminate
        /// Nothing changes (not the attached client, or already over).
        case none
    }

    /// What `exited` decided.
    enum ExitDecision: Equatable, Sendable {
        /// Send the status to the attached client, then close it.
        case deliver(to: UInt64, ExecStatus)
        /// Nobody is attached: keep the output and status for a re-attach until the deadline.
        case keep(until: Date)
        /// Nobody is attached and nothing can re-attach: forget the session.
        case discard
        /// The session was already over.
        case none
    }

    /// What `expire` decided.
    enum ExpiryDecision: Equatable, Sendable {
        /// The program still runs unattended past its deadline: end it.
        case terminate
        /// The exited session's deadline passed: forget it.
        case forget
        /// Not due.
        case none
    }

    /// Whether the session survives its client (TTY shells do).
    let detachable: Bool
    /// How long an unattended session is kept, in seconds.
    let detachTTL: Double
    private(set) var phase = Phase.running
    /// The attached client, if any.
    private(set) var attached: UInt64?
    /// When an unattended session is ended or forgotten.
    private(set) var deadline: Date?

    /// A session that has just started, nobody attached yet.
    init(detachable: Bool, detachTTL: Double, now: Date) {
        self.detachable = detachable
        self.detachTTL = max(0, detachTTL)
        deadline = now.addingTimeInterval(self.detachTTL)
    }

    /// True once nothing can attach and nobody is attached: the session can be dropped.
    var isFinished: Bool { phase == .closed && attached == nil }

    /// A client wants to attach.
    mutating func attach(_ client: UInt64) -> AttachDecision {
        guard attached == nil else { return phase == .closed ? .gone : .busy }
        switch phase {
        case .closed:
            return .gone
        case .running:
            attached = client
            deadline = nil
            return .attach(finalStatus: nil)
        case .exited(let status):
            attached = client
            deadline = nil
            phase = .closed
            return .attach(finalStatus: status)
        }
    }

    /// The attached client went away.
    mutating func detach(_ client: UInt64, now: Date) -> DetachDecision {
        guard attached == client else { return .none }
        attached = nil
        guard phase == .running else { return .none }
        guard detachable, detachTTL > 0 else {
            phase = .closed
            return .terminate
        }
        let until = now.addingTimeInterval(detachTTL)
        deadline = until
        return .keep(until: until)
    }

    /// The program ended with `status`.
    mutating func exited(_ status: ExecStatus, now: Date) -> ExitDecision {
        guard phase == .running else { return .none }
        if let client = attached {
            phase = .closed
            return .deliver(to: client, status)
        }
        guard detachable, detachTTL > 0 else {
            phase = .closed
            return .discard
        }
        phase = .exited(status)
        let until = deadline ?? now.addingTimeInterval(detachTTL)
        deadline = until
        return .keep(until: until)
    }

    /// Time passed; ends or forgets an unattended session whose deadline is due.
    mutating func expire(now: Date) -> ExpiryDecision {
        guard attached == nil, let deadline, now >= deadline else { return .none }
        self.deadline = nil
        switch phase {
        case .running:
            phase = .closed
            return .terminate
        case .exited:
            phase = .closed
            return .forget
        case .closed:
            return .none
        }
    }

    /// Ends the session on request (server shutdown); true when the program must be stopped.
    mutating func terminate() -> Bool {
        let running = phase == .running
        phase = .closed
        deadline = nil
        return running
    }
}
