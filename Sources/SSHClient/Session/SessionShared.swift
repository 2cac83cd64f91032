import Foundation
import Synchronization

/// A session's state as other threads may read it: whether it is usable, why it ended, and how
/// many channels use it (the pool closes sessions that have had none for a while).
final class SessionShared: Sendable {
    enum Phase: Sendable {
        case connecting
        case ready
        case closed(SSHError)
    }

    private struct State {
        var phase = Phase.connecting
        var channels = 0
        var idleSince: Date
        var closing = false
    }

    private let state: Mutex<State>

    init(now: Date) {
        state = Mutex(State(idleSince: now))
    }

    /// True while channels can be opened.
    var isUsable: Bool {
        state.withLock { state in
            if state.closing { return false }
            if case .ready = state.phase { return true }
            return false
        }
    }

    /// Why the session ended, once it has.
    var failure: SSHError? {
        state.withLock { state in
            if case .closed(let error) = state.phase { return error }
            return nil
        }
    }

    /// Channels currently using the session (including ones still opening).
    var channelCount: Int { state.withLock { $0.channels } }

    func markReady() {
        state.withLock { state in
            if case .connecting = state.phase { state.phase = .ready }
        }
    }

    func markClosed(_ error: SSHError) {
        state.withLock { state in
            if case .closed = state.phase { return }
            state.phase = .closed(error)
        }
    }

    /// Counts a channel about to be opened; fails when the session is not usable, so an idle
    /// close and a new channel can never both win.
    func reserveChannel(endpoint: String) throws(SSHError) {
        let result: Result<Void, SSHError> = state.withLock { state in
            if case .closed(let error) = state.phase { return .failure(error) }
            if state.closing { return .failure(.sessionClosed(endpoint)) }
            state.channels += 1
            return .success(())
        }
        try result.get()
    }

    /// Counts a channel about to be opened only while fewer than `limit` are counted and the
    /// session is usable; true when it did (the pool's atomic "is there a free slot" claim).
    func reserveChannel(below limit: Int) -> Bool {
        state.withLock { state in
            guard !state.closing, case .ready = state.phase, state.channels < limit else { return false }
            state.channels += 1
            return true
        }
    }

    /// Gives back channel reservations; the session becomes idle when the count reaches zero.
    func releaseChannels(_ count: Int, now: Date) {
        state.withLock { state in
            state.channels = max(0, state.channels - count)
            if state.channels == 0 { state.idleSince = now }
        }
    }

    /// Marks the session closing when it has had no channel since `cutoff`; true when it did.
    func beginCloseIfIdle(since cutoff: Date) -> Bool {
        state.withLock { state in
            guard !state.closing, state.channels == 0, state.idleSince <= cutoff else { return false }
            if case .closed = state.phase { return false }
            state.closing = true
            return true
        }
    }

    /// Marks the session closing (no new channels).
    func beginClose() {
        state.withLock { $0.closing = true }
    }
}
