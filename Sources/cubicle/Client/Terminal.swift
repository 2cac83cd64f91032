import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The local terminal: raw mode for `cubicle shell`, restored on every exit path — a normal
/// return, an error, and SIGTERM/SIGHUP/SIGQUIT (Ctrl-C is a byte for the remote side in raw mode).
enum Terminal {
    private static let saved = Mutex<termios?>(nil)
    private static let sources = Mutex<[SignalSource]>([])

    /// A dispatch source kept alive (touched only under the lock).
    private struct SignalSource: @unchecked Sendable {
        let source: any DispatchSourceSignal
    }

    /// Whether stdin is a terminal.
    static var isInteractive: Bool { isatty(0) == 1 }

    /// The terminal's size (columns, rows), from stdout or stdin.
    static func size() -> (columns: Int, rows: Int)? {
        var size = winsize()
        for fd: Int32 in [1, 0, 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return nil
    }

    /// Puts stdin in raw mode (no echo, no line editing, no signals from keys).
    static func enterRaw() {
        var original = termios()
        guard tcgetattr(0, &original) == 0 else { return }
        saved.withLock { $0 = original }
        var raw = original
        cfmakeraw(&raw)
        // Output post-processing stays on, so our own "\n" still returns the carriage.
        raw.c_oflag |= tcflag_t(OPOST)
        tcsetattr(0, TCSANOW, &raw)
        for signal in [SIGTERM, SIGHUP, SIGQUIT] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                restoreIfRaw()
                Glibc.signal(signal, SIG_DFL)
                kill(getpid(), signal)
            }
            source.resume()
            let kept = SignalSource(source: source)
            sources.withLock { $0.append(kept) }
        }
        atexit { Terminal.restoreIfRaw() }
    }

    /// Restores the mode saved by `enterRaw` (harmless when it was never entered).
    static func restoreIfRaw() {
        guard var original = saved.withLock({ value -> termios? in defer { value = nil }; return value }) else { return }
        tcsetattr(0, TCSANOW, &original)
    }

    /// Calls `onResize` after every SIGWINCH until the returned source is cancelled.
    static func watchResize(_ onResize: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        Glibc.signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler(handler: onResize)
        source.resume()
        return source
    }
}

/// Stdin read on a thread of its own (a blocking read never sits on the cooperative pool), at
/// most a few chunks ahead of the consumer: the reader takes a credit per chunk, the consumer
/// gives it back when it takes the chunk.
struct StandardInput: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    private let stream: AsyncStream<[UInt8]>
    private let credits: DispatchSemaphore

    /// Starts reading `descriptor` (stdin by default) in chunks of up to `size` bytes.
    init(descriptor: Int32 = 0, size: Int = 64 << 10) {
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<8 { credits.signal() }
        self.credits = credits
        stream = AsyncStream { continuation in
            Thread {
                var buffer = [UInt8](repeating: 0, count: size)
                while true {
                    credits.wait()
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, size) }
                    if count < 0, errno == EINTR {
                        credits.signal()
                        continue
                    }
                    guard count > 0 else { break }
                    if case .terminated = continuation.yield(Array(buffer[0..<count])) { break }
                }
                continuation.finish()
            }.start()
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(inner: stream.makeAsyncIterator(), credits: credits) }

    struct Iterator: AsyncIteratorProtocol {
        var inner: AsyncStream<[UInt8]>.AsyncIterator
        let credits: DispatchSemaphore

        mutating func next() async -> [UInt8]? {
            let chunk = await inner.next()
            if chunk != nil { credits.signal() }
            return chunk
        }
    }
}
