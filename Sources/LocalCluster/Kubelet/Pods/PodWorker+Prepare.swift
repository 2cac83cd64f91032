import CubicleModel
import Foundation

extension PodWorker {
    /// Gets the pod running: an address, its volumes, its sandbox, then its containers. Anything
    /// missing (a ConfigMap, a claim, an address) is reported and retried; a pod with a
    /// stay-Pending fault is left alone.
    func prepare() async {
        if let rule = context.api.podFault(for: pod.pod), rule.fault == .stayPending, rule.container == nil {
            logger.debug("pod kept Pending by a fault rule")
            return
        }
        if lifecycle == nil, let phase = pod.pod[path: ["status", "phase"]]?.stringValue, phase == "Succeeded" || phase == "Failed" {
            // A pod that ended before the kubelet restarted stays ended, as on a real node.
            return
        }
        if lifecycle == nil {
            lifecycle = PodLifecycle(
                pod: pod, restartBackoff: context.configuration.restartBackoff, pullBackoff: context.configuration.imagePullBackoff)
            startTime = pod.reportedStartTime ?? RFC3339.string(from: context.timeSource.now)
        }
        if podIP == nil {
            let (addresses, uid, preferred) = (context.addresses, uid, pod.reportedPodIP)
            podIP = await RuntimeWorker.shared.run { addresses.allocate(for: uid, preferred: preferred) }
            guard podIP != nil else {
                event("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: no free pod address in 127.77.0.0/16")
                publish()
                armRetry()
                return
            }
        }
        publish()

        let plan: VolumePlan
        do {
            plan = try VolumePlan.make(
                for: pod, podDirectory: podDirectory, claimsDirectory: context.claimsDirectory, api: context.api)
            try await VolumeWriter.write(plan)
        } catch {
            event("Warning", "FailedMount", error.eventMessage)
            armRetry()
            return
        }
        bindClaims(plan)

        guard let podIP else { return }
        let spec = SandboxSpec(
            podUID: uid, name: pod.name, namespace: pod.namespace, hostname: pod.hostname, ip: podIP,
            podDirectory: podDirectory, volumes: plan.mounts(for: pod.containers))
        do {
            sandbox = try await context.runtime.createSandbox(spec)
            sandboxStopped = false
        } catch {
            event("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error.message)")
            logger.warning("sandbox not created", metadata: ["error": "\(error.message)"])
            armRetry()
            return
        }
        for container in pod.containers {
            await startContainer(container.name)
        }
        publish()
    }

    /// Claims mounted by the pod are `Bound` from now on (their directory exists).
    private func bindClaims(_ plan: VolumePlan) {
        for volume in plan.volumes {
            guard case .claim(let name, let claim) = volume.source, claim[path: ["status", "phase"]]?.stringValue != "Bound" else {
                continue
            }
            var status: [String: JSONValue] = ["phase": "Bound"]
            if let modes = claim[path: ["spec", "accessModes"]] { status["accessModes"] = modes }
            if let storage = claim[path: ["spec", "resources", "requests", "storage"]] { status["capacity"] = ["storage": storage] }
            do {
                try context.api.updatePersistentVolumeClaimStatus(namespace: pod.namespace, name: name, status: .object(status))
            } catch {
                logger.warning("claim not marked Bound", metadata: ["claim": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Tries `prepare` again after the retry interval.
    func armRetry() {
        retryArmed = true
        arm("retry", after: context.configuration.retryInterval, .retryPreparation)
    }
}
