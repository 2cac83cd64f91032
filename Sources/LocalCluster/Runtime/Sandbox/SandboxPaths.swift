/// Where a sandbox keeps its things inside the pod directory.
struct SandboxPaths: Sendable, Hashable {
    /// The pod directory (canonical absolute path).
    let podDirectory: String

    /// The runtime's private part of the pod directory.
    var sandboxDirectory: String { podDirectory + "/sandbox" }
    /// The overlay's upper layer: everything the pod writes outside its volumes.
    var upper: String { sandboxDirectory + "/upper" }
    /// The overlay's work directory.
    var work: String { sandboxDirectory + "/work" }
    /// Files bind-mounted over `/etc/hosts` and `/etc/hostname`.
    var etc: String { sandboxDirectory + "/etc" }
    /// The infra process's own stdout and stderr.
    var infraLog: String { sandboxDirectory + "/infra.log" }
    /// The record of the running sandbox (a copy of the one in the state root).
    var record: String { sandboxDirectory + "/sandbox.json" }
    /// Where the overlay is mounted inside the sandbox's mount namespace.
    var rootfs: String { podDirectory + "/rootfs" }
    /// Container logs, one file per container.
    var logs: String { podDirectory + "/logs" }

    /// The log file of one container.
    func containerLog(_ name: String) -> String { "\(logs)/\(name).log" }
}
