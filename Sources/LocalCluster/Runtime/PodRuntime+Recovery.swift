#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel

/// What `recoverLeftovers` found and removed.
public struct RecoveryReport: Sendable, Hashable {
    /// Pod uids whose leftover sandboxes were removed.
    public var recoveredPods: [String] = []
    /// Processes killed (sandbox pid 1s, launchers, and anything still in the pods' cgroups).
    public var killedProcesses = 0
    /// Recorded pids that now belong to unrelated processes, which were left alone.
    public var stalePIDs = 0
}

extension PodRuntime {
    /// Finds sandboxes a previous run of the runtime left behind (it crashed or was SIGKILLed),
    /// kills everything in them, unmounts what leaked, removes their overlays, cgroups and records.
    /// A recorded pid is only killed if its start time still matches, so a recycled pid is safe.
    /// Sandboxes this runtime object itself is running are left alone.
    @discardableResult
    public func recoverLeftovers() async throws(RuntimeError) -> RecoveryReport {
        let prepared = try await prepare()
        var report = RecoveryReport()
        let records: [(file: String, record: SandboxRecord?)] = await RuntimeWorker.shared.run {
            (FileIO.list(prepared.records) ?? []).filter { $0.hasSuffix(".json") }.sorted().map { name in
                let file = prepared.records + "/" + name
                return (file, FileIO.read(file).flatMap(SandboxRecord.decode))
            }
        }
        var recordedUIDs: Set<String> = []
        for (file, record) in records {
            guard let record else {
                logger.warning("removing an unreadable sandbox record", metadata: ["file": "\(file)"])
                await RuntimeWorker.shared.run { _ = unlink(file) }
                continue
            }
            recordedUIDs.insert(record.podUID)
            guard !isActive(record.podUID) else { continue }
            await recover(record, file: file, prepared: prepared, report: &report)
            report.recoveredPods.append(record.podUID)
        }
        await removeOrphanCgroups(prepared: prepared, recorded: recordedUIDs, report: &report)
        if !report.recoveredPods.isEmpty || report.killedProcesses > 0 {
            logger.notice("recovered leftover sandboxes", metadata: [
                "pods": "\(report.recoveredPods)", "killed": "\(report.killedProcesses)", "stalePIDs": "\(report.stalePIDs)",
            ])
        }
        return report
    }

    private func recover(_ record: SandboxRecord, file: String, prepared: Prepared, report: inout RecoveryReport) async {
        let layout = prepared.support.cgroupLayout ?? CgroupLayout(version: 1, hierarchies: [])
        let cgroup = record.cgroups.isEmpty ? nil : CgroupNode(layout: layout, directories: record.cgroups)
        let (killed, stale, victims) = await RuntimeWorker.shared.run { () -> (Int, Int, [SandboxRecord.ProcessIdentity]) in
            var killed = 0, stale = 0
            var victims: [SandboxRecord.ProcessIdentity] = []
            if let infra = record.infra {
                if ProcFS.isSameProcess(infra.pid, startTime: infra.startTime),
                   let namespace = record.pidNamespace, ProcFS.pidNamespace(infra.pid) == namespace {
                    // Killing a PID namespace's init kills every process in it.
                    let members = ProcFS.identities(inNamespace: namespace)
                    killed += members.count
                    if ProcFS.signalIfSame(infra.pid, startTime: infra.startTime, signal: SIGKILL) { victims = members }
                } else if ProcFS.stat(infra.pid) != nil {
                    stale += 1
                }
            }
            if let launcher = record.launcher {
                if ProcFS.signalIfSame(launcher.pid, startTime: launcher.startTime, signal: SIGKILL) {
                    killed += 1
                } else if ProcFS.stat(launcher.pid) != nil {
                    stale += 1
                }
            }
            for pid in cgroup?.processes() ?? [] where kill(pid, SIGKILL) == 0 { killed += 1 }
            return (killed, stale, victims)
        }
        report.killedProcesses += killed
        report.stalePIDs += stale
        let gone = await Polling.until(timeSource, timeout: PodSandbox.teardownTimeout) {
            let victimsGone = ProcFS.survivors(victims).isEmpty
            let cgroupEmpty = cgroup.map { node in
                node.processes().allSatisfy { ProcFS.stat($0).map { $0.state == "Z" } ?? true }
            } ?? true
            return victimsGone && cgroupEmpty
        }
        if !gone { logger.error("leftover pod processes did not die", metadata: ["podUID": "\(record.podUID)"]) }
        if let cgroup {
            _ = await Polling.until(timeSource, timeout: PodSandbox.teardownTimeout) { cgroup.remove() }
        }
        let paths = SandboxPaths(podDirectory: record.podDirectory)
        let stuck = await RuntimeWorker.shared.run { MountTable.detachAll(under: paths.podDirectory) }
        if !stuck.isEmpty {
            // Deleting through a live mount could delete host files: leave the directories.
            logger.error("leftover mounts could not be removed", metadata: ["mounts": "\(stuck)"])
        } else if let rm = prepared.support.tools?.rm {
            for directory in [paths.upper, paths.work] {
                _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", directory])
            }
        }
        await RuntimeWorker.shared.run {
            unlink(file)
            unlink(paths.record)
        }
    }

    /// Pod cgroups of this state root without a record (the runtime died between creating the
    /// cgroup and writing the record) are emptied and removed too.
    private func removeOrphanCgroups(prepared: Prepared, recorded: Set<String>, report: inout RecoveryReport) async {
        guard let layout = prepared.support.cgroupLayout else { return }
        let root = CgroupNode(layout: layout, relativePath: prepared.cgroupRoot)
        let orphans: [CgroupNode] = await RuntimeWorker.shared.run {
            var names: Set<String> = []
            for directory in root.directories {
                for name in FileIO.list(directory) ?? [] where FileIO.kind(directory + "/" + name) == .directory {
                    names.insert(name)
                }
            }
            return names.filter { !recorded.contains($0) && !self.isActive($0) }.sorted().map { root.child($0) }
        }
        for orphan in orphans {
            let killed = await RuntimeWorker.shared.run { orphan.processes().filter { kill($0, SIGKILL) == 0 }.count }
            report.killedProcesses += killed
            _ = await Polling.until(timeSource, timeout: PodSandbox.teardownTimeout) { orphan.remove() }
        }
        await RuntimeWorker.shared.run {
            for directory in root.directories { rmdir(directory) }
        }
    }
}
