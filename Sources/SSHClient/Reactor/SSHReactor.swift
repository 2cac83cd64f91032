import Foundation
import Synchronization

/// The pool of reactor threads that own all shell and exec sessions. Each session lives on one
/// thread for its whole life, in non-blocking mode; many channels share a session. Create one
/// reactor per process and `shutdown()` it on exit.
public final class SSHReactor: Sendable {
    private let threads: [ReactorThread]
    private let nextID = Atomic<UInt64>(0)

    /// Creates the reactor; threads start on first use.
    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        threads = (0..<max(1, threadCount)).map { ReactorThread(index: $0) }
    }

    /// A reactor nobody references any more (no session does either) lets its threads end.
    deinit {
        for thread in threads { thread.post { $0.requestStop() } }
    }

    /// Opens and authenticates a session to `target`, pinning its host key. Throws `SSHError`
    /// (`ssh_unavailable`) for refusals, timeouts, key mismatches and failed authentication.
    public func connect(to target: SSHTarget, options: SSHSessionOptions = SSHSessionOptions()) async throws -> SSHSession {
        let address = try await SocketAddress.resolve(host: target.host, port: target.port)
        guard let thread = threads.min(by: { $0.sessionCount < $1.sessionCount }) else {
            throw SSHError.shutDown("the SSH reactor")
        }
        thread.startIfNeeded()
        let id = makeID()
        let shared = SessionShared(now: options.timeSource.now)
        let session = SSHSession(thread: thread, id: id, target: target, options: options, shared: shared, reactor: self)
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let posted = thread.post { loop in
                        guard loop.isRunning else {
                            continuation.resume(throwing: SSHError.shutDown("the SSH reactor"))
                            return
                        }
                        let reactorSession = ReactorSession(id: id, target: target, options: options, shared: shared,
                                                            loop: loop) { result in
                            continuation.resume(with: result.mapError { $0 as any Error })
                        }
                        loop.add(reactorSession)
                        reactorSession.start(address: address)
                    }
                    if !posted { continuation.resume(throwing: SSHError.shutDown("the SSH reactor")) }
                }
            } onCancel: {
                thread.post { loop in loop.session(id)?.close(.sessionClosed(target.endpoint)) }
            }
        } catch {
            try Task.checkCancellation()
            throw error
        }
        return session
    }

    /// Closes every session (their channels fail with `shut_down`) and stops the threads.
    public func shutdown() async {
        for thread in threads { await thread.stop() }
    }

    /// A process-unique id for sessions and channels.
    func makeID() -> UInt64 {
        nextID.add(1, ordering: .relaxed).newValue
    }
}
