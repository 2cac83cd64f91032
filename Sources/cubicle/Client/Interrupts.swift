import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C while a command waits: SIGINT is caught (not fatal) and `onInterrupt` runs once.
final class Interrupts: Sendable {
    private let source = Mutex<Unchecked?>(nil)
    private let state = Mutex(false)

    /// A dispatch source, touched only under the lock.
    private struct Unchecked: @unchecked Sendable {
        let source: any DispatchSourceSignal
    }

    /// Catches SIGINT until `stop()`.
    static func watch(_ onInterrupt: @escaping @Sendable () -> Void) -> Interrupts {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let watcher = Interrupts()
        watcher.source.withLock { $0 = Unchecked(source: source) }
        source.setEventHandler {
            let first = watcher.state.withLock { fired in
                defer { fired = true }
                return !fired
            }
            if first { onInterrupt() }
        }
        source.resume()
        return watcher
    }

    /// Whether Ctrl-C came.
    var fired: Bool { state.withLock { $0 } }

    /// SIGINT is fatal again.
    func stop() {
        source.withLock { held in
            held?.source.cancel()
            held = nil
        }
        signal(SIGINT, SIG_DFL)
    }
}
