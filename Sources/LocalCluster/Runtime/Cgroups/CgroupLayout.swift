#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which cgroup interface the runtime uses for resource limits.
public enum CgroupMode: Sendable, Hashable, CustomStringConvertible {
    /// Legacy per-controller hierarchies (memory, cpu).
    case v1
    /// The unified hierarchy.
    case v2
    /// No usable cgroups: pods run without limits.
    case unavailable(reason: String)

    /// `v1`, `v2` or `unavailable: <reason>`.
    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2: "v2"
        case .unavailable(let reason): "unavailable: \(reason)"
        }
    }
}

/// One cgroup hierarchy the runtime writes to, and the directory under which it creates its own
/// cgroups (this process's own cgroup, so pods stay inside whatever limits the operator gave us).
struct CgroupHierarchy: Sendable, Hashable {
    /// The controllers that matter to us in this hierarchy (`memory`, `cpu`).
    var controllers: Set<String>
    /// Where the hierarchy is mounted.
    var mountPoint: String
    /// The mount's root inside the hierarchy (not `/` inside a cgroup namespace).
    var mountRoot: String
    /// The directory the runtime's cgroups go under.
    var base: String

    /// The on-disk directory of a cgroup path as `/proc/<pid>/cgroup` names it.
    func directory(forCgroupPath path: String) -> String {
        var relative = path
        if mountRoot != "/", relative.hasPrefix(mountRoot) { relative.removeFirst(mountRoot.count) }
        if relative == "/" { relative = "" }
        return mountPoint + relative
    }
}

/// The cgroup hierarchies found on this host and how to use them.
struct CgroupLayout: Sendable, Hashable {
    /// v1 or v2.
    var version: Int
    /// v1: the memory hierarchy first, then cpu when present; v2: one entry.
    var hierarchies: [CgroupHierarchy]

    /// One line of `/proc/<pid>/cgroup`.
    struct Membership: Hashable {
        var controllers: [String]
        var path: String
    }

    /// Parses `/proc/<pid>/cgroup` (`id:controllers:path`); the v2 line has empty controllers.
    static func parseMemberships(_ text: String) -> [Membership] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            return Membership(
                controllers: parts[1].split(separator: ",").map(String.init), path: String(parts[2]))
        }
    }

    /// The hierarchies a v1 host offers for memory and cpu (memory first), from this process's
    /// memberships and the mount table; empty when there is no v1 memory hierarchy.
    static func v1Hierarchies(memberships: [Membership], mounts: [MountTable.Entry]) -> [CgroupHierarchy] {
        var result: [CgroupHierarchy] = []
        for controller in ["memory", "cpu"] {
            guard let mount = mounts.first(where: { $0.fsType == "cgroup" && $0.superOptions.contains(controller) }),
                  let membership = memberships.first(where: { $0.controllers.contains(controller) })
            else { continue }
            if let index = result.firstIndex(where: { $0.mountPoint == mount.mountPoint }) {
                result[index].controllers.insert(controller)
                continue
            }
            var hierarchy = CgroupHierarchy(
                controllers: [controller], mountPoint: mount.mountPoint, mountRoot: mount.root, base: "")
            hierarchy.base = hierarchy.directory(forCgroupPath: membership.path)
            result.append(hierarchy)
        }
        guard result.first?.controllers.contains("memory") == true else { return [] }
        return result
    }

    /// The unified hierarchy, when it is mounted and offers the memory controller; its base is
    /// this process's own cgroup (candidates are tried in order by `detect`).
    static func v2Candidates(memberships: [Membership], mounts: [MountTable.Entry]) -> [CgroupHierarchy] {
        guard let mount = mounts.first(where: { $0.fsType == "cgroup2" }),
              let controllers = FileIO.read(mount.mountPoint + "/cgroup.controllers"),
              controllers.split(whereSeparator: \.isWhitespace).contains("memory")
        else { return [] }
        let own = memberships.first { $0.controllers.isEmpty }?.path ?? "/"
        let template = CgroupHierarchy(controllers: ["memory", "cpu"], mountPoint: mount.mountPoint, mountRoot: mount.root, base: "")
        var ownBase = template
        ownBase.base = template.directory(forCgroupPath: own)
        var rootBase = template
        rootBase.base = mount.mountPoint
        return ownBase.base == rootBase.base ? [rootBase] : [ownBase, rootBase]
    }

    /// Finds a usable layout by trying to create (and remove) a cgroup under each candidate base.
    /// Blocking; worker thread only.
    static func detect() -> Result<CgroupLayout, CgroupUnavailable> {
        let memberships = parseMemberships(FileIO.read("/proc/self/cgroup") ?? "")
        let mounts = MountTable.current()
        var reasons: [String] = []
        for candidate in v2Candidates(memberships: memberships, mounts: mounts) {
            let probe = candidate.base + "/cubicle-probe-\(getpid())"
            // A v2 cgroup can only hand controllers to children when it holds no processes itself.
            let enabled = FileIO.write("+memory +cpu", to: candidate.base + "/cgroup.subtree_control", flags: O_WRONLY)
            if mkdir(probe, 0o755) == 0 {
                rmdir(probe)
                if enabled == nil || (FileIO.read(candidate.base + "/cgroup.subtree_control") ?? "").contains("memory") {
                    return .success(CgroupLayout(version: 2, hierarchies: [candidate]))
                }
            }
            reasons.append("cgroup v2 at \(candidate.base) cannot delegate the memory controller")
        }
        let v1 = v1Hierarchies(memberships: memberships, mounts: mounts)
        if let memory = v1.first {
            let probe = memory.base + "/cubicle-probe-\(getpid())"
            if mkdir(probe, 0o755) == 0 {
                rmdir(probe)
                return .success(CgroupLayout(version: 1, hierarchies: v1))
            }
            reasons.append("cannot create cgroups under \(memory.base): \(LinuxCalls.describe(errno))")
        } else if reasons.isEmpty {
            reasons.append("no cgroup v2 memory controller and no cgroup v1 memory hierarchy is mounted")
        }
        return .failure(CgroupUnavailable(reason: reasons.joined(separator: "; ")))
    }
}

/// Why cgroups cannot be used.
struct CgroupUnavailable: Error, Hashable {
    /// For the sandbox's status.
    var reason: String
}
