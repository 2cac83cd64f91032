#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension PodSandbox {
    /// Starts a container in the sandbox (CRI CreateContainer + StartContainer). As root the
    /// runtime itself is the container's parent — it is born in the pod's PID namespace and joins
    /// the mount and UTS namespaces and root through `nsenter -F` — so its exit status and signals
    /// are the container's own. Output goes to `<pod>/logs/<name>.log`.
    public func startContainer(_ container: ContainerSpec) async throws(RuntimeError) -> ContainerHandle {
        try SpecValidation.check(container)
        try state.withLock { state throws(RuntimeError) in
            guard case .running = state.phase else {
                throw RuntimeError(.notRunning, "the sandbox of \(spec.namespace)/\(spec.name) is stopped")
            }
            if let existing = state.containers[container.name], !existing.hasExited {
                throw RuntimeError(.startFailed, "container \(container.name) is already running")
            }
            guard state.starting.insert(container.name).inserted else {
                throw RuntimeError(.startFailed, "container \(container.name) is already starting")
            }
        }
        defer { _ = state.withLock { $0.starting.remove(container.name) } }
        if let previous = self.container(named: container.name) {
            // A restarted container reuses its name; its old cgroup must be gone first.
            _ = await previous.exitStatus
        }
        let result: Result<ContainerHandle, RuntimeError> = await RuntimeWorker.shared.run { [self] in
            Result { () throws(RuntimeError) in try spawnContainer(container) }
        }
        let handle = try result.get()
        state.withLock { $0.containers[container.name] = handle }
        logger.info("container started", metadata: ["container": "\(container.name)", "pid": "\(handle.pid)"])
        return handle
    }

    /// The worker-thread part of `startContainer`.
    private func spawnContainer(_ container: ContainerSpec) throws(RuntimeError) -> ContainerHandle {
        guard !launcher.hasExited, ProcFS.isSameProcess(infra.pid, startTime: infra.startTime),
              ProcFS.pidNamespace(infra.pid) == pidNamespace
        else { throw RuntimeError(.notRunning, "the sandbox of \(spec.namespace)/\(spec.name) is no longer running") }

        let passwd = FileIO.read("/proc/\(infra.pid)/root/etc/passwd") ?? ""
        let account = container.uid.flatMap { uid in Self.passwdEntry(uid: uid, in: passwd) }
            ?? (container.uid == nil ? Self.passwdEntry(uid: 0, in: passwd) : nil)
        var environment = container.env
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        if environment["HOSTNAME"] == nil { environment["HOSTNAME"] = spec.hostname }
        if environment["HOME"] == nil { environment["HOME"] = account?.home ?? "/" }

        var cgroupNode: CgroupNode?
        if let cgroup {
            let node = cgroup.child("ctr-" + container.name)
            node.remove()
            if node.create() == nil {
                for problem in node.apply(container.limits) {
                    logger.warning("container limit not applied", metadata: ["container": "\(container.name)", "problem": "\(problem)"])
                }
                cgroupNode = node
            }
        }

        var arguments = [tools.nsenter, "--target", String(infra.pid)]
        // As root the spawn itself is born in the pod's PID namespace, so nsenter must not fork.
        // In a user namespace we cannot setns(2) the PID namespace ourselves; nsenter forks, and
        // keeps the credentials that map to the namespace's root.
        arguments += usesUserNamespace ? ["--user", "--pid", "--preserve-credentials"] : ["--no-fork"]
        arguments += ["--mount", "--uts", "--root", "--wdns=" + (container.workingDir ?? "/"), "--"]
        if container.uid != nil || container.gid != nil {
            let uid = container.uid ?? 0
            let gid = container.gid ?? account?.gid ?? 0
            if usesUserNamespace {
                // The user namespace denies setgroups(2), which nsenter's --setuid calls; setpriv
                // (the host's, seen through the overlay) switches ids keeping the groups.
                guard let setpriv = SandboxTools.find("setpriv") else {
                    throw RuntimeError(.startFailed, "setpriv is needed to run container \(container.name) as uid \(uid)")
                }
                arguments += [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--keep-groups", "--"]
            } else {
                arguments.insert(contentsOf: ["--setuid", String(uid), "--setgid", String(gid)], at: arguments.count - 1)
            }
        }
        arguments += container.argv
        if let runAs = support.runAs {
            guard let prefix = runAs.commandPrefix else { throw RuntimeError(.startFailed, "setpriv is missing") }
            arguments = prefix + arguments
        }

        let log = open(paths.containerLog(container.name), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let pidNamespaceFD = usesUserNamespace ? -1 : open("/proc/\(infra.pid)/ns/pid", O_RDONLY | O_CLOEXEC)
        defer {
            for fd in [log, devNull, pidNamespaceFD] where fd >= 0 { close(fd) }
        }
        guard log >= 0, devNull >= 0, usesUserNamespace || pidNamespaceFD >= 0 else {
            cgroupNode?.remove()
            throw RuntimeError(.startFailed, "cannot open the log or namespace of container \(container.name): \(LinuxCalls.describe(errno))")
        }
        let threadMoves = cgroupNode?.threadMoves() ?? []
        let child: RuntimeChild
        do {
            child = try Spawner.spawn(SpawnRequest(
                executable: arguments[0], arguments: arguments,
                environment: environment.map { "\($0.key)=\($0.value)" }.sorted(),
                stdin: devNull, stdout: log, stderr: log, newSession: true,
                pidNamespace: usesUserNamespace ? nil : pidNamespaceFD, threadCgroups: threadMoves))
        } catch {
            cgroupNode?.remove()
            throw RuntimeError(.startFailed, "cannot start container \(container.name): \(error.description)", underlying: error)
        }
        if let cgroupNode, threadMoves.isEmpty {
            // cgroup v2 cannot move a single thread, so the child joins right after the spawn.
            for file in cgroupNode.procsFiles { _ = FileIO.write("\(child.pid)\n", to: file, flags: O_WRONLY) }
        }
        return ContainerHandle(
            name: container.name, child: child, logPath: paths.containerLog(container.name), cgroup: cgroupNode,
            forwardsThroughNsenter: usesUserNamespace, timeSource: timeSource)
    }

    /// The home directory and primary group of a uid in the pod's `/etc/passwd`.
    static func passwdEntry(uid: UInt32, in passwd: String) -> (home: String, gid: UInt32)? {
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 7, UInt32(fields[2]) == uid, let gid = UInt32(fields[3]) else { continue }
            return (String(fields[5]), gid)
        }
        return nil
    }
}
