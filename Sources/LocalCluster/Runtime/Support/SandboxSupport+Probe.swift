#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension SandboxSupport {
    /// The outcome of trying to build a throw-away sandbox.
    enum Trial: Sendable, Hashable {
        /// Not attempted.
        case notRun
        /// It worked.
        case succeeded
        /// It failed, with the helper's message.
        case failed(String)
    }

    /// What the probe found out about the host; `decide` turns it into an isolation level.
    struct Facts: Sendable, Hashable {
        /// The effective uid the sandbox would be built as.
        var euid: UInt32
        /// Programs the runtime needs that are missing.
        var missingTools: [String] = []
        /// Whether the kernel offers overlayfs.
        var overlayAvailable = true
        /// Building a sandbox as real root.
        var privilegedTrial = Trial.notRun
        /// Building a sandbox inside a new user namespace.
        var userNamespaceTrial = Trial.notRun
        /// A sysctl that switches user namespaces off, e.g. `user.max_user_namespaces=0`.
        var userNamespaceSysctl: String?
    }

    /// Picks the isolation level from the facts: missing pieces first, then the strongest
    /// isolation whose trial succeeded, else a reason a person can act on.
    static func decide(_ facts: Facts) -> Isolation {
        if !facts.missingTools.isEmpty {
            return .unavailable(reason: "missing programs: \(facts.missingTools.joined(separator: ", ")) (install util-linux and coreutils)")
        }
        if !facts.overlayAvailable {
            return .unavailable(reason: "the kernel has no overlay filesystem (load the overlay module)")
        }
        if facts.privilegedTrial == .succeeded { return .privileged }
        if facts.userNamespaceTrial == .succeeded { return .userNamespace }
        var parts: [String] = []
        if facts.euid == 0 {
            if case .failed(let message) = facts.privilegedTrial {
                parts.append("running as root but cannot create namespaces and mounts (\(message))")
            }
        } else {
            parts.append("not running as root")
        }
        switch facts.userNamespaceTrial {
        case .failed(let message):
            parts.append("user namespaces do not work (\(message))")
        case .notRun, .succeeded:
            parts.append("user namespaces were not tried")
        }
        if let sysctl = facts.userNamespaceSysctl {
            parts.append("\(sysctl) disables them")
        }
        return .unavailable(reason: parts.joined(separator: "; "))
    }

    /// Probes this host: looks for the tools, tries a throw-away sandbox as root (or in a user
    /// namespace when not root), and finds the cgroup interface. `workDirectory` must be on the
    /// filesystem pods will live on (the runtime's state root); a scratch directory is created in
    /// it and removed.
    public static func probe(workDirectory: String) async -> SandboxSupport {
        await probe(workDirectory: workDirectory, runAs: nil)
    }

    /// `probe`, optionally as another user (`setpriv`), which is how tests check the non-root path.
    static func probe(workDirectory: String, runAs: SandboxCredentials?) async -> SandboxSupport {
        let euid = runAs?.uid ?? geteuid()
        var facts = Facts(euid: euid)
        let tools: SandboxTools?
        switch SandboxTools.locate() {
        case .success(let found): tools = found
        case .failure(let missing):
            tools = nil
            facts.missingTools = missing.names
        }
        facts.overlayAvailable = await RuntimeWorker.shared.run {
            (FileIO.read("/proc/filesystems") ?? "").split(separator: "\n").contains { $0.hasSuffix("\toverlay") }
        }
        var userNamespaceFlags: [String] = []
        if let tools, facts.missingTools.isEmpty, facts.overlayAvailable {
            let scratch = Scratch(workDirectory: workDirectory, owner: runAs)
            if await scratch.create() {
                if euid == 0 {
                    facts.privilegedTrial = await trial(tools: tools, scratch: scratch, runAs: runAs, flags: [], layout: "root")
                }
                if facts.privilegedTrial != .succeeded {
                    for flags in userNamespaceFlagSets(euid: euid) {
                        facts.userNamespaceTrial = await trial(tools: tools, scratch: scratch, runAs: runAs, flags: flags, layout: "dirs")
                        if facts.userNamespaceTrial == .succeeded {
                            userNamespaceFlags = flags
                            break
                        }
                    }
                }
                await scratch.remove(rm: tools.rm)
            } else {
                facts.privilegedTrial = .failed("cannot create a scratch directory in \(workDirectory)")
            }
        }
        facts.userNamespaceSysctl = await RuntimeWorker.shared.run { disablingSysctl() }
        let isolation = decide(facts)
        guard runAs == nil else {
            return SandboxSupport(
                isolation: isolation, cgroups: .unavailable(reason: "another user cannot use this process's cgroups"),
                tools: tools, cgroupLayout: nil, userNamespaceFlags: userNamespaceFlags, runAs: runAs)
        }
        let cgroups = await RuntimeWorker.shared.run { CgroupLayout.detect() }
        switch cgroups {
        case .success(let layout):
            return SandboxSupport(isolation: isolation, cgroups: layout.version == 2 ? .v2 : .v1, tools: tools, cgroupLayout: layout, userNamespaceFlags: userNamespaceFlags)
        case .failure(let unavailable):
            return SandboxSupport(isolation: isolation, cgroups: .unavailable(reason: unavailable.reason), tools: tools, cgroupLayout: nil, userNamespaceFlags: userNamespaceFlags)
        }
    }

    /// Flag sets to try for a user-namespace sandbox, most capable first: with `--map-auto` a
    /// subordinate uid range is mapped too, so `useradd` can create users inside.
    static func userNamespaceFlagSets(euid: UInt32) -> [[String]] {
        var sets: [[String]] = []
        if euid != 0, SandboxTools.find("newuidmap") != nil {
            sets.append(["--user", "--map-root-user", "--map-auto"])
        }
        sets.append(["--user", "--map-root-user"])
        return sets
    }

    private static func disablingSysctl() -> String? {
        if FileIO.read("/proc/sys/kernel/unprivileged_userns_clone")?.hasPrefix("0") == true {
            return "kernel.unprivileged_userns_clone=0"
        }
        if FileIO.read("/proc/sys/user/max_user_namespaces")?.hasPrefix("0") == true {
            return "user.max_user_namespaces=0"
        }
        return nil
    }

    private static func trial(tools: SandboxTools, scratch: Scratch, runAs: SandboxCredentials?, flags: [String], layout: String) async -> Trial {
        let directory = scratch.directory + "/trial-\(layout)-\(flags.count)"
        var arguments: [String] = []
        if let runAs {
            guard let prefix = runAs.commandPrefix else { return .failed("setpriv is missing") }
            arguments = prefix
        }
        arguments += [tools.unshare] + flags + ["--mount", "--pid", "--uts", "--fork", "--kill-child"]
        arguments += [tools.shell, scratch.script, "probe", directory, layout]
        do {
            let outcome = try await CommandRunner.run(arguments)
            if outcome.status == .exited(0), outcome.output.contains("ok") { return .succeeded }
            let message = outcome.output.split(separator: "\n").last.map(String.init) ?? "exit \(outcome.status.shellCode)"
            return .failed(message)
        } catch {
            return .failed(error.description)
        }
    }

    /// A scratch directory for trials, owned by the user the trial runs as.
    private struct Scratch {
        let directory: String
        let owner: SandboxCredentials?

        init(workDirectory: String, owner: SandboxCredentials?) {
            self.directory = "\(workDirectory)/probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            self.owner = owner
        }

        var script: String { directory + "/" + SandboxScript.fileName }

        func create() async -> Bool {
            let directory = directory, script = script, owner = owner
            return await RuntimeWorker.shared.run {
                guard FileIO.makeDirectories(directory) == nil,
                      FileIO.write(SandboxScript.text, to: script, mode: 0o755) == nil
                else { return false }
                if let owner { _ = chown(directory, owner.uid, owner.gid) }
                return true
            }
        }

        func remove(rm: String) async {
            _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", directory])
        }
    }
}
