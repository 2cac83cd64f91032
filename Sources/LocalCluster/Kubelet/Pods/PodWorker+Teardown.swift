import CubicleModel
import Foundation

extension PodWorker {
    /// The pod is being deleted (or is already gone): `Killing` events, SIGTERM then SIGKILL after
    /// the grace period, the address released, the pod directory removed (claims stay), and the
    /// deletion finished in the API server.
    func tearDown(objectExists: Bool) async {
        guard !finished else { return }
        if var lifecycle {
            lifecycle.terminate()
            self.lifecycle = lifecycle
            for track in lifecycle.containers where track.isRunning {
                event("Normal", "Killing", "Stopping container \(track.name)", container: track.name)
            }
        }
        await stopProcesses(grace: min(pod.gracePeriod, context.configuration.maximumGracePeriod))
        context.addresses.release(uid: uid)
        await removePodDirectory()
        finished = true
        removedPod = true
        if objectExists {
            do {
                try context.api.finishPodDeletion(namespace: pod.namespace, name: pod.name, uid: uid)
            } catch {
                logger.debug("deletion not finished (already gone?)", metadata: ["error": "\(error)"])
            }
        }
        logger.info("pod removed")
    }

    /// Stops every process of the pod (the sandbox sends SIGTERM, then SIGKILL after `grace`).
    func stopProcesses(grace: Double) async {
        for (key, task) in tasks where key.hasPrefix("timer:") || key.hasPrefix("probe:") || key == "retry" {
            task.cancel()
        }
        guard let sandbox, !sandboxStopped else { return }
        sandboxStopped = true
        await sandbox.stop(grace: .milliseconds(Int64(grace * 1000)))
    }

    /// Removes the pod's own directory (its ConfigMap, Secret and emptyDir volumes, logs) with
    /// `rm --one-file-system`, so a mount that somehow survived is never crossed.
    private func removePodDirectory() async {
        let directory = podDirectory
        let stuck = await RuntimeWorker.shared.run { MountTable.detachAll(under: directory) }
        guard stuck.isEmpty else {
            logger.error("mounts under the pod directory remain; keeping it", metadata: ["mounts": "\(stuck)"])
            return
        }
        guard let rm = SandboxTools.find("rm") else { return }
        _ = try? await CommandRunner.run([rm, "-rf", "--one-file-system", "--", directory])
    }
}
