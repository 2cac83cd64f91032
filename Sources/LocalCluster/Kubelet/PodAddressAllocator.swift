import Synchronization

/// Hands out pod addresses `127.77.x.y` (x from the configured blocks, y from 1 to 254), lowest
/// free first, each to one pod uid; released addresses can be handed out again.
final class PodAddressAllocator: Sendable {
    private let blocks: ClosedRange<Int>
    private let owners = Mutex<[String: String]>([:])  // address → pod uid

    init(blocks: ClosedRange<Int>) {
        self.blocks = blocks
    }

    /// Records that `uid` already holds `address` (restart recovery); false if it is not one of
    /// ours or another pod holds it.
    @discardableResult
    func reserve(_ address: String, for uid: String) -> Bool {
        guard contains(address) else { return false }
        return owners.withLock { owners in
            if let owner = owners[address], owner != uid { return false }
            owners[address] = uid
            return true
        }
    }

    /// The address of `uid`: the one it holds, else `preferred` when free, else the lowest free one.
    func allocate(for uid: String, preferred: String?) -> String? {
        owners.withLock { owners in
            if let held = owners.first(where: { $0.value == uid })?.key { return held }
            if let preferred, contains(preferred), owners[preferred] == nil {
                owners[preferred] = uid
                return preferred
            }
            for x in blocks {
                for y in 1...254 {
                    let address = "127.77.\(x).\(y)"
                    if owners[address] == nil {
                        owners[address] = uid
                        return address
                    }
                }
            }
            return nil
        }
    }

    /// Frees every address `uid` holds.
    func release(uid: String) {
        owners.withLock { owners in
            for (address, owner) in owners where owner == uid { owners[address] = nil }
        }
    }

    /// The pod holding `address`, if any.
    func owner(of address: String) -> String? {
        owners.withLock { $0[address] }
    }

    private func contains(_ address: String) -> Bool {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127", parts[1] == "77", let x = Int(parts[2]), let y = Int(parts[3]) else {
            return false
        }
        return blocks.contains(x) && (1...254).contains(y)
    }
}
