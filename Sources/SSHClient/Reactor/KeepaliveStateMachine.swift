/// Decides when an established session sends a keepalive and when its peer counts as dead,
/// from the session's count of received packets. Every `interval` it looks at whether anything
/// arrived since the last look: traffic resets the count; silence sends a keepalive (which a
/// live server answers) and counts a miss; more than `maxMissed` misses in a row is death.
struct KeepaliveStateMachine: Sendable, Equatable {
    /// What the session should do now.
    enum Action: Equatable, Sendable {
        /// Nothing.
        case none
        /// Send a keepalive request that the server must answer.
        case sendKeepalive
        /// Give up: nothing was heard for `silentFor` seconds.
        case declareDead(silentFor: Double)
    }

    let interval: Double
    let maxMissed: Int
    private(set) var nextCheck: Double
    private(set) var missed = 0
    private var lastPackets: UInt64
    private var lastHeard: Double

    init(interval: Double, maxMissed: Int, now: Double, packetsReceived: UInt64) {
        self.interval = max(0.01, interval)
        self.maxMissed = max(0, maxMissed)
        self.nextCheck = now + self.interval
        self.lastPackets = packetsReceived
        self.lastHeard = now
    }

    /// Called whenever the reactor checks timers; acts only once the check is due.
    mutating func tick(now: Double, packetsReceived: UInt64) -> Action {
        guard now >= nextCheck else { return .none }
        nextCheck = now + interval
        if packetsReceived != lastPackets {
            lastPackets = packetsReceived
            lastHeard = now
            missed = 0
            return .none
        }
        missed += 1
        if missed > maxMissed { return .declareDead(silentFor: now - lastHeard) }
        return .sendKeepalive
    }
}
