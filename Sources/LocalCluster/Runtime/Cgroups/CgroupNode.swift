#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One cgroup of the runtime's tree (`<base>/cubicle-<runtime>/<pod uid>[/<child>]`), as the set of
/// its directories in each hierarchy. Every method blocks; worker thread only.
struct CgroupNode: Sendable, Hashable {
    /// The layout it lives in.
    let layout: CgroupLayout
    /// One directory per hierarchy, in the layout's order.
    let directories: [String]

    /// The node at `relativePath` under every hierarchy's base.
    init(layout: CgroupLayout, relativePath: String) {
        self.layout = layout
        self.directories = layout.hierarchies.map { $0.base + "/" + relativePath }
    }

    /// A node from recorded directories (recovery).
    init(layout: CgroupLayout, directories: [String]) {
        self.layout = layout
        self.directories = directories
    }

    /// A child node.
    func child(_ name: String) -> CgroupNode {
        CgroupNode(layout: layout, directories: directories.map { $0 + "/" + name })
    }

    private var memoryDirectory: String? {
        zip(layout.hierarchies, directories).first { $0.0.controllers.contains("memory") }?.1
    }

    private var cpuDirectory: String? {
        zip(layout.hierarchies, directories).first { $0.0.controllers.contains("cpu") }?.1
    }

    /// Creates the directories (and their parents); on v2 also hands the memory and cpu
    /// controllers down each level. Returns the first failure.
    func create() -> String? {
        for (hierarchy, directory) in zip(layout.hierarchies, directories) {
            if layout.version == 2 {
                var current = hierarchy.base
                for part in directory.dropFirst(hierarchy.base.count).split(separator: "/") {
                    _ = FileIO.write("+memory +cpu", to: current + "/cgroup.subtree_control", flags: O_WRONLY)
                    current += "/" + part
                    if mkdir(current, 0o755) != 0 && errno != EEXIST {
                        return "cannot create cgroup \(current): \(LinuxCalls.describe(errno))"
                    }
                }
            } else if let code = FileIO.makeDirectories(directory) {
                return "cannot create cgroup \(directory): \(LinuxCalls.describe(code))"
            }
        }
        return nil
    }

    /// Writes the limits; returns one message per limit that could not be applied.
    func apply(_ limits: ResourceLimits) -> [String] {
        var problems: [String] = []
        if let bytes = limits.memoryBytes {
            if let directory = memoryDirectory {
                let failed: Int32?
                if layout.version == 2 {
                    failed = FileIO.write("\(bytes)", to: directory + "/memory.max", flags: O_WRONLY)
                    _ = FileIO.write("0", to: directory + "/memory.swap.max", flags: O_WRONLY)
                } else {
                    failed = FileIO.write("\(bytes)", to: directory + "/memory.limit_in_bytes", flags: O_WRONLY)
                    // Without swap accounting this file is absent; with it, forbid swapping past the limit.
                    _ = FileIO.write("\(bytes)", to: directory + "/memory.memsw.limit_in_bytes", flags: O_WRONLY)
                }
                if let failed { problems.append("memory limit not applied: \(LinuxCalls.describe(failed))") }
            } else {
                problems.append("memory limit not applied: no memory controller")
            }
        }
        if let millicores = limits.cpuMillicores {
            let period: Int64 = 100_000
            let quota = max(1_000, millicores * period / 1_000)
            if let directory = cpuDirectory {
                let failed: Int32?
                if layout.version == 2 {
                    failed = FileIO.write("\(quota) \(period)", to: directory + "/cpu.max", flags: O_WRONLY)
                } else {
                    _ = FileIO.write("\(period)", to: directory + "/cpu.cfs_period_us", flags: O_WRONLY)
                    failed = FileIO.write("\(quota)", to: directory + "/cpu.cfs_quota_us", flags: O_WRONLY)
                }
                if let failed { problems.append("cpu limit not applied: \(LinuxCalls.describe(failed))") }
            } else {
                problems.append("cpu limit not applied: no cpu controller")
            }
        }
        return problems
    }

    /// The `cgroup.procs` files a process writes its pid into to join this node.
    var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    /// For v1: per hierarchy, this node's `tasks` file and the calling thread's current one, so a
    /// spawning thread can step in and back out.
    func threadMoves() -> [(enter: String, restore: String)]? {
        guard layout.version == 1 else { return nil }
        let memberships = CgroupLayout.parseMemberships(FileIO.read("/proc/thread-self/cgroup") ?? "")
        var moves: [(enter: String, restore: String)] = []
        for (hierarchy, directory) in zip(layout.hierarchies, directories) {
            guard let current = memberships.first(where: { !Set($0.controllers).isDisjoint(with: hierarchy.controllers) })
            else { return nil }
            moves.append((directory + "/tasks", hierarchy.directory(forCgroupPath: current.path) + "/tasks"))
        }
        return moves
    }

    /// How many processes the kernel's OOM killer has killed in this node (and below on v2).
    func oomKillCount() -> Int {
        guard let directory = memoryDirectory else { return 0 }
        let file = layout.version == 2 ? "/memory.events" : "/memory.oom_control"
        let text = FileIO.read(directory + file) ?? ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "oom_kill", let count = Int(parts[1]) { return count }
        }
        return 0
    }

    /// Every pid in this node and its descendants.
    func processes() -> [pid_t] {
        var pids: Set<pid_t> = []
        for directory in directories { collect(directory, into: &pids) }
        return pids.sorted()
    }

    private func collect(_ directory: String, into pids: inout Set<pid_t>) {
        for line in (FileIO.read(directory + "/cgroup.procs") ?? "").split(separator: "\n") {
            if let pid = pid_t(line) { pids.insert(pid) }
        }
        for name in FileIO.list(directory) ?? [] where FileIO.kind(directory + "/" + name) == .directory {
            collect(directory + "/" + name, into: &pids)
        }
    }

    /// Removes the node's directories, children first; returns whether all are gone.
    @discardableResult
    func remove() -> Bool {
        var removed = true
        for directory in directories { removed = removeTree(directory) && removed }
        return removed
    }

    private func removeTree(_ directory: String) -> Bool {
        guard FileIO.kind(directory) == .directory else { return true }
        for name in FileIO.list(directory) ?? [] where FileIO.kind(directory + "/" + name) == .directory {
            _ = removeTree(directory + "/" + name)
        }
        return rmdir(directory) == 0 || errno == ENOENT
    }
}
