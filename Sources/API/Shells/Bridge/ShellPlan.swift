import Synchronization

/// What the check before the upgrade settled, handed to the WebSocket handler.
struct ShellPlan: Sendable {
    /// Who connects.
    var caller: Caller
    /// The workspace.
    var workspace: String
    /// The negotiated subprotocol (nil: none offered, v4 framing).
    var subprotocol: ExecSubprotocol?
    /// The query.
    var options: ShellOptions
    /// The session id: new, or the one to re-attach.
    var sessionID: String
    /// True when re-attaching to `sessionID`.
    var reattach: Bool
    /// The client's address.
    var clientIP: String
    /// The client's `User-Agent`.
    var client: String
}

/// Carries a `ShellPlan` from the upgrade check to the WebSocket handler of the same request
/// (the request context is copied along the way; this box is shared by the copies).
final class UpgradeHandoff: Sendable {
    private let plan = Mutex<ShellPlan?>(nil)

    /// Creates an empty box.
    init() {}

    /// Stores the plan.
    func store(_ value: ShellPlan) { plan.withLock { $0 = value } }

    /// Takes the plan out.
    func take() -> ShellPlan? { plan.withLock { value in defer { value = nil }; return value } }
}
