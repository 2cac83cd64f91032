#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Linux calls that Swift's Glibc module does not import (they sit behind `_GNU_SOURCE` or in
/// headers the module map leaves out), resolved once with `dlsym`. Each is optional so the
/// runtime can fall back when an older libc lacks it.
enum LinuxCalls {
    private typealias SetnsFn = @convention(c) (Int32, Int32) -> Int32
    private typealias GettidFn = @convention(c) () -> Int32
    private typealias PidfdOpenFn = @convention(c) (pid_t, UInt32) -> Int32
    private typealias PidfdSendSignalFn = @convention(c) (Int32, Int32, UnsafeMutableRawPointer?, UInt32) -> Int32
    private typealias Pipe2Fn = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias CloseFromFn = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `CLONE_NEWPID` from `<sched.h>`.
    static let cloneNewPID: Int32 = 0x2000_0000
    /// `POSIX_SPAWN_SETSID` from `<spawn.h>` (glibc ≥ 2.26).
    static let spawnSetSID: Int32 = 0x80

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    private static let setnsFn = symbol("setns", as: SetnsFn.self)
    private static let gettidFn = symbol("gettid", as: GettidFn.self)
    private static let pidfdOpenFn = symbol("pidfd_open", as: PidfdOpenFn.self)
    private static let pidfdSendSignalFn = symbol("pidfd_send_signal", as: PidfdSendSignalFn.self)
    private static let pipe2Fn = symbol("pipe2", as: Pipe2Fn.self)
    private static let closeFromFn = symbol(
        "posix_spawn_file_actions_addclosefrom_np", as: CloseFromFn.self)

    /// Whether the calling thread can be moved into another PID namespace for its next children.
    static var canSetNamespace: Bool { setnsFn != nil }

    /// `setns(2)`; returns `errno` on failure.
    static func setns(_ fd: Int32, _ type: Int32) -> Int32? {
        guard let setnsFn else { return ENOSYS }
        return setnsFn(fd, type) == 0 ? nil : errno
    }

    /// The kernel thread id of the calling thread.
    static func currentThreadID() -> Int32? { gettidFn?() }

    /// `pidfd_open(2)`, or nil when the libc or kernel lacks it.
    static func pidfdOpen(_ pid: pid_t) -> Int32? {
        guard let pidfdOpenFn else { return nil }
        let fd = pidfdOpenFn(pid, 0)
        return fd >= 0 ? fd : nil
    }

    /// `pidfd_send_signal(2)`: whether the signal was sent, or nil when the libc lacks the call.
    static func pidfdSendSignal(_ fd: Int32, _ signal: Int32) -> Bool? {
        guard let pidfdSendSignalFn else { return nil }
        return pidfdSendSignalFn(fd, signal, nil, 0) == 0
    }

    /// A pipe whose both ends are close-on-exec, created atomically when `pipe2` exists so that a
    /// concurrent spawn on another thread cannot inherit it.
    static func pipeCloexec() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        if let pipe2Fn {
            guard pipe2Fn(&fds, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    /// Adds "close every fd from `lowest` up" to spawn file actions; false when the libc lacks it.
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Bool {
        guard let closeFromFn else { return false }
        return closeFromFn(actions, lowest) == 0
    }

    /// The current `errno` as a readable string.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
