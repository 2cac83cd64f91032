import Foundation
import Synchronization

/// Hands out pod addresses `127.77.x.y` (x from the configured blocks, y from 1 to 254), lowest
/// free first, each to one pod uid; released addresses can be handed out again.
///
/// Loopback addresses are shared by every process on the machine, so "free" means more than free
/// here: another Cubicle (a second `cubicle serve`, a test run beside `make run`) must not hold it,
/// which every kubelet proves by holding the address's lock in `AddressLocks`, and nothing else may
/// be bound to it (`BoundAddresses`: a pod left behind by a server that died, any other program).
/// Locks and `/proc` reads are file I/O: callers run this on the runtime worker.
final class PodAddressAllocator: Sendable {
    private let blocks: ClosedRange<Int>
    private let locks: AddressLocks
    private let bound: @Sendable () -> Set<String>
    private let owners = Mutex<[String: Claim]>([:])  // address → its pod and lock

    private struct Claim {
        let uid: String
        let lock: AddressLocks.Held?
    }

    /// `lockDirectory` is shared by every kubelet on the machine; `bound` lists the local
    /// addresses that sockets are bound to (tests inject it).
    init(
        blocks: ClosedRange<Int>, lockDirectory: String = AddressLocks.defaultDirectory,
        bound: @escaping @Sendable () -> Set<String> = { BoundAddresses.current() }
    ) {
        self.blocks = blocks
        self.locks = AddressLocks(directory: lockDirectory)
        self.bound = bound
    }

    deinit { releaseAll() }

    /// Records that `uid` already holds `address` (restart recovery); false if it is not one of
    /// ours or another pod — of this kubelet or of another process — holds it.
    @discardableResult
    func reserve(_ address: String, for uid: String) -> Bool {
        guard contains(address) else { return false }
        return owners.withLock { owners in
            if let owner = owners[address] { return owner.uid == uid }
            guard let lock = locks.acquire(address) else { return false }
            owners[address] = Claim(uid: uid, lock: lock)
            return true
        }
    }

    /// The address of `uid`: the one it holds, else `preferred` when no one else holds it, else
    /// the lowest address that no process on the machine holds or is bound to.
    func allocate(for uid: String, preferred: String?) -> String? {
        owners.withLock { owners in
            if let held = owners.first(where: { $0.value.uid == uid })?.key { return held }
            // The pod's own previous address (a restarted server): its lock is what counts, since
            // the pod's own processes may still be bound to it.
            if let preferred, contains(preferred), owners[preferred] == nil, let lock = locks.acquire(preferred) {
                owners[preferred] = Claim(uid: uid, lock: lock)
                return preferred
            }
            var busy: Set<String>?
            for x in blocks {
                for y in 1...254 {
                    let address = "127.77.\(x).\(y)"
                    guard owners[address] == nil else { continue }
                    if busy == nil { busy = bound() }
                    guard busy?.contains(address) != true, let lock = locks.acquire(address) else { continue }
                    owners[address] = Claim(uid: uid, lock: lock)
                    return address
                }
            }
            return nil
        }
    }

    /// Frees every address `uid` holds.
    func release(uid: String) {
        owners.withLock { owners in
            for (address, claim) in owners where claim.uid == uid {
                claim.lock.map(locks.release)
                owners[address] = nil
            }
        }
    }

    /// Frees every address (the kubelet stops; its pods' processes are gone).
    func releaseAll() {
        owners.withLock { owners in
            for claim in owners.values { claim.lock.map(locks.release) }
            owners = [:]
        }
    }

    /// The pod holding `address`, if any.
    func owner(of address: String) -> String? {
        owners.withLock { $0[address]?.uid }
    }

    private func contains(_ address: String) -> Bool {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127", parts[1] == "77", let x = Int(parts[2]), let y = Int(parts[3]) else {
            return false
        }
        return blocks.contains(x) && (1...254).contains(y)
    }
}
