#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel
import Foundation
import Logging

extension PodSandbox {
    /// How long the infra process may take to build the root filesystem before it is killed.
    static let setupTimeout: Double = 60

    /// What the worker prepared and spawned for a new sandbox.
    private struct Spawned: Sendable {
        var launcher: RuntimeChild
        var readyPipe: Int32
        var cgroup: CgroupNode?
        var notes: [String]
        var record: SandboxRecord
    }

    /// Builds the sandbox: fresh overlay directories, cgroups, the infra process; waits for it to
    /// report ready and records it for recovery.
    static func launch(_ spec: SandboxSpec, prepared: PodRuntime.Prepared, runtime: PodRuntime) async throws(RuntimeError) -> PodSandbox {
        guard let tools = prepared.support.tools else { throw .sandboxUnavailable("the sandbox tools are missing") }
        let logger = runtime.logger.with(pod: spec)
        let located: Result<(SandboxPaths, [PlannedMount]), RuntimeError> = await RuntimeWorker.shared.run {
            if let code = FileIO.makeDirectories(spec.podDirectory) {
                return .failure(RuntimeError(.io, "cannot create the pod directory \(spec.podDirectory): \(LinuxCalls.describe(code))"))
            }
            guard let canonical = FileIO.realPath(spec.podDirectory) else {
                return .failure(RuntimeError(.io, "cannot resolve the pod directory \(spec.podDirectory)"))
            }
            let paths = SandboxPaths(podDirectory: canonical)
            let leftovers = MountTable.detachAll(under: canonical)
            if !leftovers.isEmpty {
                return .failure(RuntimeError(.setupFailed, "mounts left under \(canonical) cannot be removed: \(leftovers.joined(separator: ", "))"))
            }
            return Result { () throws(RuntimeError) in (paths, try SpecValidation.plan(spec.volumes)) }
        }
        let (paths, mounts) = try located.get()
        try SpecValidation.checkOverlaySafe(paths.podDirectory, what: "pod directory")
        let rm = tools.rm
        for directory in [paths.upper, paths.work] {
            _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", directory])
        }

        let spawnResult: Result<Spawned, RuntimeError> = await RuntimeWorker.shared.run {
            Result { () throws(RuntimeError) in
                try spawnInfra(spec, paths: paths, mounts: mounts, prepared: prepared, tools: tools)
            }
        }
        let spawned = try spawnResult.get()
        let recordFile = prepared.records + "/" + spec.podUID + ".json"
        await writeRecord(spawned.record, to: [recordFile, paths.record])

        let ready = await readReady(spawned.readyPipe, launcher: spawned.launcher, clock: runtime.timeSource)
        let verified: Result<SandboxRecord, RuntimeError> = await RuntimeWorker.shared.run {
            verify(ready: ready, launcher: spawned.launcher, record: spawned.record, paths: paths)
        }
        switch verified {
        case .success(let record):
            await writeRecord(record, to: [recordFile, paths.record])
            guard let infra = record.infra, let namespace = record.pidNamespace else {
                preconditionFailure("verify returns a complete record")
            }
            let status = SandboxStatus(
                isolation: prepared.support.isolation,
                cgroups: spawned.cgroup == nil ? prepared.support.cgroups.unavailableIfUsable("not applied") : prepared.support.cgroups,
                limitsEnforced: spawned.cgroup != nil, notes: spawned.notes)
            logger.info("sandbox started", metadata: ["infraPID": "\(infra.pid)", "status": "\(status.notes)"])
            return PodSandbox(
                spec: spec, status: status, paths: paths, support: prepared.support, tools: tools,
                launcher: spawned.launcher, infra: infra, pidNamespace: namespace, cgroup: spawned.cgroup,
                recordFile: recordFile, timeSource: runtime.timeSource, logger: logger,
                onStopped: { [weak runtime] uid in runtime?.forget(uid) })
        case .failure(let error):
            spawned.launcher.signal(SIGKILL)
            _ = await spawned.launcher.wait()
            await RuntimeWorker.shared.run {
                if let cgroup = spawned.cgroup {
                    for pid in cgroup.processes() { kill(pid, SIGKILL) }
                }
                MountTable.detachAll(under: paths.podDirectory)
            }
            if let cgroup = spawned.cgroup {
                _ = await Polling.until(runtime.timeSource, timeout: 5) { cgroup.remove() }
            }
            for directory in [paths.upper, paths.work] {
                _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", directory])
            }
            await RuntimeWorker.shared.run {
                unlink(recordFile)
                unlink(paths.record)
            }
            logger.warning("sandbox setup failed", metadata: ["error": "\(error.message)"])
            throw error
        }
    }

    /// The worker-thread part: directories, files for /etc, cgroups, and the spawn.
    private static func spawnInfra(
        _ spec: SandboxSpec, paths: SandboxPaths, mounts: [PlannedMount], prepared: PodRuntime.Prepared, tools: SandboxTools
    ) throws(RuntimeError) -> Spawned {
        let privileged = prepared.support.isolation == .privileged
        for directory in [paths.sandboxDirectory, paths.upper, paths.work, paths.etc] {
            if let code = FileIO.makeDirectories(directory, mode: 0o700) {
                throw RuntimeError(.io, "cannot create \(directory): \(LinuxCalls.describe(code))")
            }
        }
        // The sandbox directory keeps other host users out; the upper layer's own mode becomes
        // the mode of the pod's `/`, so it mirrors the host's.
        _ = chmod(paths.sandboxDirectory, 0o700)
        var rootInfo = stat()
        _ = chmod(paths.upper, lstat("/", &rootInfo) == 0 ? rootInfo.st_mode & 0o7777 : 0o755)
        for directory in [paths.rootfs, paths.logs] {
            if let code = FileIO.makeDirectories(directory) {
                throw RuntimeError(.io, "cannot create \(directory): \(LinuxCalls.describe(code))")
            }
        }
        let hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\(spec.ip)\t\(spec.hostname)\n"
        if let code = FileIO.write(spec.hostname + "\n", to: paths.etc + "/hostname")
            ?? FileIO.write(hosts, to: paths.etc + "/hosts") {
            throw RuntimeError(.io, "cannot write the pod's /etc files: \(LinuxCalls.describe(code))")
        }

        var steps: [String] = []
        for hidden in prepared.hidden + [paths.podDirectory] {
            steps += ["hide", hidden]
        }
        for name in ["hostname", "hosts"] {
            if FileIO.kind("/etc/" + name) == .symlink && privileged { steps += ["unlink", "/etc/" + name] }
            steps += ["bind", paths.etc + "/" + name, "/etc/" + name, "rw", "file"]
        }
        // A resolv.conf that links into the host's /run would dangle under the pod's fresh /run.
        if FileIO.kind("/etc/resolv.conf") == .symlink, privileged, let resolv = FileIO.read("/etc/resolv.conf"),
           FileIO.write(resolv, to: paths.etc + "/resolv.conf") == nil {
            steps += ["unlink", "/etc/resolv.conf", "bind", paths.etc + "/resolv.conf", "/etc/resolv.conf", "rw", "file"]
        }
        for mount in mounts {
            steps += ["bind", mount.source, mount.target, mount.readOnly ? "ro" : "rw", mount.isFile ? "file" : "dir"]
        }

        var notes: [String] = []
        var cgroup: CgroupNode?
        if let layout = prepared.support.cgroupLayout {
            let node = CgroupNode(layout: layout, relativePath: prepared.cgroupRoot + "/" + spec.podUID)
            node.remove()
            if let problem = node.create() ?? node.child("infra").create() {
                notes.append("cgroups unusable for this pod (\(problem)); running without resource limits")
                node.remove()
            } else {
                notes += node.apply(spec.limits)
                cgroup = node
            }
        } else if case .unavailable(let reason) = prepared.support.cgroups {
            notes.append("cgroups unavailable (\(reason)); running without resource limits")
        }

        let layout = privileged ? "root" : "dirs"
        let ttyGroup = privileged ? (ttyGroupID().map(String.init) ?? "") : ""
        var command = [tools.unshare] + (privileged ? [] : prepared.support.userNamespaceFlags)
        command += ["--fork", "--pid", "--mount", "--uts", "--kill-child", "--propagation", "private"]
        command += [tools.shell, prepared.script, "infra", paths.rootfs, paths.upper, paths.work, spec.hostname, layout, ttyGroup]
        command += steps
        if let cgroup {
            command = [tools.shell, prepared.script, "cgexec"] + cgroup.child("infra").procsFiles + ["--"] + command
        }
        if let runAs = prepared.support.runAs {
            guard let prefix = runAs.commandPrefix else { throw .sandboxUnavailable("setpriv is missing") }
            command = prefix + command
            // The user builds the overlay, so it must own the directories the overlay writes to.
            for directory in [paths.sandboxDirectory, paths.upper, paths.work, paths.etc] { _ = chown(directory, runAs.uid, runAs.gid) }
        }

        guard let pipe = LinuxCalls.pipeCloexec() else {
            throw RuntimeError(.io, "cannot create a pipe: \(LinuxCalls.describe(errno))")
        }
        let log = open(paths.infraLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(pipe.write)
            if log >= 0 { close(log) }
            if devNull >= 0 { close(devNull) }
        }
        guard log >= 0, devNull >= 0 else {
            close(pipe.read)
            throw RuntimeError(.io, "cannot open \(paths.infraLog): \(LinuxCalls.describe(errno))")
        }
        let launcher: RuntimeChild
        do {
            launcher = try Spawner.spawn(SpawnRequest(
                executable: command[0], arguments: command,
                environment: ["PATH=\(SandboxTools.searchPath.joined(separator: ":"))", "LC_ALL=C"],
                stdin: devNull, stdout: log, stderr: log, fd3: pipe.write, newSession: true))
        } catch {
            close(pipe.read)
            cgroup?.remove()
            throw RuntimeError(.setupFailed, "cannot start the sandbox: \(error.description)", underlying: error)
        }
        let identity = ProcFS.stat(launcher.pid).map { SandboxRecord.ProcessIdentity(pid: launcher.pid, startTime: $0.startTime) }
        let record = SandboxRecord(
            podUID: spec.podUID, podDirectory: paths.podDirectory, launcher: identity, infra: nil,
            pidNamespace: nil, cgroups: cgroup?.directories ?? [], createdAt: Date())
        return Spawned(launcher: launcher, readyPipe: pipe.read, cgroup: cgroup, notes: notes, record: record)
    }

    /// What the infra process said on its ready pipe, or that it timed out.
    private enum Ready: Sendable {
        case line(String)
        case timedOut
    }

    private static func readReady(_ fd: Int32, launcher: RuntimeChild, clock: any TimeSource) async -> Ready {
        enum Event: Sendable { case read([UInt8]), timer }
        return await withTaskGroup(of: Event.self) { group in
            group.addTask { .read(await PipeReader.read(fd: fd, limit: 4096) { $0.contains(UInt8(ascii: "\n")) }) }
            group.addTask {
                try? await clock.sleep(seconds: setupTimeout)
                return .timer
            }
            var timedOut = false
            while let event = await group.next() {
                switch event {
                case .read(let bytes):
                    group.cancelAll()
                    return timedOut ? .timedOut : .line(String(decoding: bytes, as: UTF8.self))
                case .timer:
                    // Killing the launcher kills the infra (--kill-child), which closes the pipe.
                    if !Task.isCancelled {
                        timedOut = true
                        launcher.signal(SIGKILL)
                    }
                }
            }
            return .timedOut
        }
    }

    private static func verify(ready: Ready, launcher: RuntimeChild, record: SandboxRecord, paths: SandboxPaths) -> Result<SandboxRecord, RuntimeError> {
        let line: String
        switch ready {
        case .timedOut:
            return .failure(RuntimeError(.setupFailed, "the sandbox did not start within \(Int(setupTimeout)) s"))
        case .line(let text):
            line = text
        }
        let parts = line.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0] == "ready", let pid = pid_t(parts[1]), let info = ProcFS.stat(pid),
              info.parent == launcher.pid, let namespace = ProcFS.pidNamespace(pid),
              namespace != ProcFS.pidNamespace(getpid())
        else {
            let log = FileIO.read(paths.infraLog) ?? ""
            let reason = log.split(separator: "\n").last { $0.hasPrefix("cubicle-sandbox:") || $0.contains("unshare:") }
                ?? log.split(separator: "\n").last ?? "the sandbox exited during setup"
            return .failure(RuntimeError(.setupFailed, "sandbox setup failed: \(reason)"))
        }
        var complete = record
        complete.infra = SandboxRecord.ProcessIdentity(pid: pid, startTime: info.startTime)
        complete.pidNamespace = namespace
        return .success(complete)
    }

    private static func writeRecord(_ record: SandboxRecord, to files: [String]) async {
        let text = record.encoded()
        await RuntimeWorker.shared.run {
            for file in files { _ = FileIO.writeAtomically(text, to: file, mode: 0o600) }
        }
    }

    /// The host's `tty` group, which owns the pod's pseudo-terminals like on the host.
    private static func ttyGroupID() -> UInt32? {
        for line in (FileIO.read("/etc/group") ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 3, fields[0] == "tty", let gid = UInt32(fields[2]) { return gid }
        }
        return nil
    }
}

extension CgroupMode {
    /// `self` when already unavailable, otherwise `unavailable(reason)`.
    func unavailableIfUsable(_ reason: String) -> CgroupMode {
        if case .unavailable = self { self } else { .unavailable(reason: reason) }
    }
}

extension Logger {
    /// A copy with the pod's identity as metadata.
    func with(pod spec: SandboxSpec) -> Logger {
        var copy = self
        copy[metadataKey: "pod"] = "\(spec.namespace)/\(spec.name)"
        copy[metadataKey: "podUID"] = "\(spec.podUID)"
        return copy
    }
}
