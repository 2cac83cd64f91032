/// What this host lets the runtime build, found by `probe`: the isolation level (as root, a full
/// sandbox; as a user, a user-namespace sandbox; otherwise none and why) and the cgroup interface.
public struct SandboxSupport: Sendable, Hashable, CustomStringConvertible {
    /// How pods are isolated.
    public enum Isolation: Sendable, Hashable {
        /// Real root: new mount, PID and UTS namespaces, an overlay over `/`.
        case privileged
        /// No root: the same inside a new user namespace (this process's uid is root in it);
        /// files the host's root owns stay read-only inside the pod.
        case userNamespace
        /// No sandbox can be built; pods fail with this reason.
        case unavailable(reason: String)
    }

    /// How pods are isolated.
    public let isolation: Isolation
    /// How resource limits are enforced.
    public let cgroups: CgroupMode
    let tools: SandboxTools?
    let cgroupLayout: CgroupLayout?
    /// Extra `unshare` flags for the user-namespace mode (`--user --map-root-user ...`).
    let userNamespaceFlags: [String]
    /// When set, sandboxes and containers are started as this user (tests of the non-root path).
    let runAs: SandboxCredentials?

    init(
        isolation: Isolation, cgroups: CgroupMode, tools: SandboxTools?, cgroupLayout: CgroupLayout?,
        userNamespaceFlags: [String] = [], runAs: SandboxCredentials? = nil
    ) {
        self.isolation = isolation
        self.cgroups = cgroups
        self.tools = tools
        self.cgroupLayout = cgroupLayout
        self.userNamespaceFlags = userNamespaceFlags
        self.runAs = runAs
    }

    /// Whether sandboxes can be created at all.
    public var isAvailable: Bool {
        if case .unavailable = isolation { false } else { true }
    }

    /// One line for logs: `isolation=privileged cgroups=v1`.
    public var description: String {
        let isolationText: String
        switch isolation {
        case .privileged: isolationText = "privileged"
        case .userNamespace: isolationText = "user-namespace"
        case .unavailable(let reason): isolationText = "unavailable (\(reason))"
        }
        return "isolation=\(isolationText) cgroups=\(cgroups)"
    }

    /// The same support with user-namespace isolation forced (tests exercise that path as root).
    func forcingUserNamespace(flags: [String] = ["--user", "--map-root-user"]) -> SandboxSupport {
        SandboxSupport(isolation: .userNamespace, cgroups: cgroups, tools: tools, cgroupLayout: cgroupLayout, userNamespaceFlags: flags)
    }
}
