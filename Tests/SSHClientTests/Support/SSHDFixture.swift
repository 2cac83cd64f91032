import CubicleTestSupport
import Foundation
import Glibc
import SSHClient
import Synchronization

/// A real OpenSSH server for one test: its own temp directory, a unique 127.x.y.z address, a
/// port the OS picked, freshly generated host and client keys, public-key auth only and
/// internal-sftp. Logs go to a file that failing tests print. `stop()` kills it and removes
/// everything it created.
final class SSHDFixture: Sendable {
    let directory: String
    let host: String
    let port: Int
    let hostKey: SSHKeyPair
    let clientKey: SSHKeyPair
    private let process = Mutex<ChildProcess?>(nil)

    private init(directory: String, host: String, port: Int, hostKey: SSHKeyPair, clientKey: SSHKeyPair) {
        self.directory = directory
        self.host = host
        self.port = port
        self.hostKey = hostKey
        self.clientKey = clientKey
    }

    /// Generates keys and configuration and starts `sshd`; `extraConfig` lines are appended.
    static func start(extraConfig: [String] = []) async throws -> SSHDFixture {
        let directory = try makeTemporaryDirectory(prefix: "cubicle-sshd")
        let host = "127.\(Int.random(in: 2...250)).\(Int.random(in: 0...255)).\(Int.random(in: 2...250))"
        let port = try freePort(host: host)
        let hostKey = try SSHKeyPair.generateEd25519(comment: "host@cubicle-test")
        let clientKey = try SSHKeyPair.generateEd25519(comment: "cubicle@test")
        try write(hostKey.privateKey, to: "\(directory)/host_key", mode: 0o600)
        try write(clientKey.publicKey.line + "\n", to: "\(directory)/authorized_keys", mode: 0o644)
        let config = [
            "ListenAddress \(host):\(port)",
            "HostKey \(directory)/host_key",
            "AuthorizedKeysFile \(directory)/authorized_keys",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin yes",
            "UsePAM no",
            "StrictModes no",
            "PidFile none",
            "AcceptEnv CUBICLE_*",
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
        ] + extraConfig
        try write(config.joined(separator: "\n") + "\n", to: "\(directory)/sshd_config", mode: 0o644)
        let fixture = SSHDFixture(directory: directory, host: host, port: port, hostKey: hostKey, clientKey: clientKey)
        try await fixture.launch()
        return fixture
    }

    /// A target for `user` with the fixture's keys.
    func target(user: String = "root") -> SSHTarget {
        SSHTarget(host: host, port: port, user: user, clientKey: clientKey, hostKey: hostKey.publicKey)
    }

    /// The server's log so far (stderr of `sshd -e`).
    var log: String { (try? String(contentsOfFile: "\(directory)/sshd.log", encoding: .utf8)) ?? "" }

    /// The pid of the listening `sshd`.
    var listenerPID: Int32? { process.withLock { $0?.pid } }

    /// Kills the listener and every session process it forked, then removes the directory. The
    /// waiting for processes to go happens on its own thread, never on the cooperative pool.
    func stop() async {
        _ = try? await blocking { [self] in
            killAll()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Kills everything (as a crash or pod restart would) and starts again on the same address.
    func restart() async throws {
        _ = try await blocking { [self] in killAll() }
        try await launch()
    }

    /// Stops (SIGSTOP) the session processes: the kernel still ACKs TCP, nothing answers SSH.
    func freezeSessions() -> Int {
        let children = descendants()
        for pid in children { kill(pid, SIGSTOP) }
        return children.count
    }

    private func launch() async throws {
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let log = "\(directory)/sshd.log"
        // Sessions log in as root; an empty tmpfs over /root in a private mount namespace keeps the
        // machine's own dotfiles (shell hooks that take locks, slow prompts) out of every test.
        let script = "mount -t tmpfs -o mode=0700 cubicle-test-home /root && exec /usr/sbin/sshd -D -e -f \"$1\""
        let process = try ChildProcess(
            "/usr/bin/unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sshd", "\(directory)/sshd_config"],
            logPath: log
        )
        self.process.withLock { $0 = process }
        try await waitUntil("sshd listens on \(host):\(port)", timeout: 10, detail: { self.log }) {
            canConnect(host: host, port: port)
        }
    }

    private func killAll() {
        let children = descendants()
        let listener = process.withLock { process -> ChildProcess? in
            let current = process
            process = nil
            return current
        }
        for pid in children {
            kill(pid, SIGKILL)
            kill(pid, SIGCONT)
        }
        // Let the listener reap its children before it goes, so no zombies are left behind.
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline, children.contains(where: isAlive) {
            usleep(5_000)
        }
        listener?.killAndReap()
    }

    /// Processes below the listener (per-connection monitors and session children).
    private func descendants() -> [Int32] {
        guard let root = listenerPID else { return [] }
        var parents: [Int32: Int32] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[pid] = parent }
        }
        var result: [Int32] = []
        var frontier = [root]
        while let next = frontier.popLast() {
            for (pid, parent) in parents where parent == next {
                result.append(pid)
                frontier.append(pid)
            }
        }
        return result
    }
}

/// True while `pid` exists and is not a zombie.
private func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// Creates a fresh directory under /tmp, readable by every user (sshd reads
/// `authorized_keys` as the login user).
func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed: \(errno)") }
    let path = String(cString: made)
    chmod(path, 0o755)
    return path
}

/// Writes `text` to `path` with `mode`.
func write(_ text: String, to path: String, mode: mode_t) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        throw FixtureError("cannot write \(path)")
    }
    chmod(path, mode)
}

/// A TCP port that is free on `host` right now (bound by the OS, then released).
func freePort(host: String) throws -> Int {
    let (fd, port) = try refusingPort(host: host)
    close(fd)
    return port
}

/// True when a TCP connection to host:port succeeds right now.
func canConnect(host: String, port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// Awaits `condition` with a deadline, checking every few milliseconds.
func waitUntil(_ what: String, timeout: Double = 10, detail: @Sendable () -> String = { "" },
               _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return }
        guard Date() < deadline else { throw FixtureError("timed out waiting until \(what)\n\(detail())") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A failure in test set-up.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a started fixture and always stops it, printing its log if `body` throws.
func withSSHD<T>(extraConfig: [String] = [], _ body: (SSHDFixture) async throws -> T) async throws -> T {
    let fixture = try await SSHDFixture.start(extraConfig: extraConfig)
    do {
        let result = try await body(fixture)
        await fixture.stop()
        return result
    } catch {
        print("sshd log for failed test:\n\(fixture.log)")
        await fixture.stop()
        throw error
    }
}

/// The process's resident set size in bytes (from /proc/self/status).
func residentSetSize() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return digits * 1024
    }
    return 0
}
