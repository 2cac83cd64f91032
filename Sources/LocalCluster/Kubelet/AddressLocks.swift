import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One lock file per pod address in a directory every Cubicle on the machine shares: a kubelet
/// uses an address only while it holds that file's `flock`. The kernel drops the lock when the
/// holder exits, however it exits, so a crashed server never keeps an address. Lock files are
/// never removed (removing one would let two holders lock different files of the same name).
struct AddressLocks: Sendable {
    /// An address's lock, held while its descriptor is open.
    struct Held: Sendable {
        fileprivate let descriptor: Int32
    }

    /// The machine-wide directory: `/run/cubicle/pod-addresses` for root, else one per user
    /// under the temporary directory (`CUBICLE_RUN_DIR` overrides the parent).
    static var defaultDirectory: String {
        if let parent = ProcessInfo.processInfo.environment["CUBICLE_RUN_DIR"], !parent.isEmpty {
            return parent + "/pod-addresses"
        }
        return getuid() == 0 ? "/run/cubicle/pod-addresses" : NSTemporaryDirectory() + "cubicle-\(getuid())/pod-addresses"
    }

    let directory: String

    /// Takes `address`'s lock without waiting; nil when another holder has it. When the
    /// directory cannot be used at all — or is not this user's alone — locking is impossible and
    /// every address is refused rather than handed out unguarded.
    func acquire(_ address: String) -> Held? {
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // A directory someone else owns or may write to could hold every lock: refuse it.
        var info = stat()
        guard lstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
              info.st_mode & (S_IWGRP | S_IWOTH) == 0 else { return nil }
        let descriptor = open(directory + "/" + address + ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return Held(descriptor: descriptor)
    }

    /// Gives the lock back.
    func release(_ held: Held) {
        close(held.descriptor)
    }
}

/// The local IPv4 addresses that listening TCP sockets and bound UDP sockets of this network
/// namespace use, from `/proc/net/tcp` and `/proc/net/udp`.
enum BoundAddresses {
    /// The addresses bound now (empty when `/proc` cannot be read).
    static func current() -> Set<String> {
        var addresses = Set<String>()
        for (file, states) in [("/proc/net/tcp", ["0A"]), ("/proc/net/udp", nil as [String]?)] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            addresses.formUnion(parse(text, states: states))
        }
        return addresses
    }

    /// The local addresses of the table's rows (in `states`, when given: `0A` is LISTEN).
    static func parse(_ table: String, states: [String]?) -> Set<String> {
        var addresses = Set<String>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3 else { continue }
            if let states, !states.contains(String(fields[3])) { continue }
            guard let hex = fields[1].split(separator: ":").first, hex.count == 8, let value = UInt32(hex, radix: 16) else { continue }
            // The kernel prints the address's bytes, kept in network order, as a host-order word:
            // the word's bytes in memory are the address's bytes in order on any machine.
            let bytes = withUnsafeBytes(of: value) { Array($0) }
            addresses.insert(bytes.map(String.init).joined(separator: "."))
        }
        return addresses
    }
}
