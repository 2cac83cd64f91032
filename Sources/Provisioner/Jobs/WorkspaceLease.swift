import CubicleModel
import Foundation
import KubeClient
import Logging

/// A coordination.k8s.io Lease per workspace, so that across several Cubicle replicas only one
/// acts on a workspace at a time. The holder renews it while its job runs and releases it after.
struct WorkspaceLease: Sendable {
    let client: KubeClient
    let namespace: String
    let holder: String
    let duration: Int
    let time: any TimeSource
    let logger: Logger

    static func name(for workspace: String) -> String { "cubicle-ws-\(workspace)" }

    /// Takes the lease, waiting while another live holder has it; returns when held.
    func acquire(_ workspace: String, onWait: @Sendable (String) async -> Void) async throws {
        var announced = false
        var attempt = 0
        while true {
            try Task.checkCancellation()
            if try await tryAcquire(workspace) { return }
            if !announced {
                announced = true
                await onWait("waiting for another Cubicle replica working on this workspace")
            }
            try await time.sleep(seconds: min(Double(duration) / 3, Backoff.controller.delay(attempt: attempt)))
            attempt += 1
        }
    }

    /// Renews the lease every third of its duration until cancelled.
    func renew(_ workspace: String) async {
        while !Task.isCancelled {
            do {
                try await time.sleep(seconds: Double(duration) / 3)
                _ = try await tryAcquire(workspace)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("lease renewal failed", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
            }
        }
    }

    /// Gives the lease up (best effort: an expired lease is free anyway).
    func release(_ workspace: String) async {
        let name = Self.name(for: workspace)
        do {
            var lease = try await client.get(Lease.self, name: name, namespace: namespace)
            guard lease.spec?.holderIdentity == holder else { return }
            lease.spec?.holderIdentity = nil
            lease.spec?.renewTime = nil
            _ = try await client.update(lease, namespace: namespace)
        } catch {
            logger.debug("lease release skipped", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
        }
    }

    /// One attempt: create the lease, renew our own, or take over an expired one.
    private func tryAcquire(_ workspace: String) async throws -> Bool {
        let name = Self.name(for: workspace)
        let now = time.now
        do {
            var lease = try await client.get(Lease.self, name: name, namespace: namespace)
            var spec = lease.spec ?? LeaseSpec()
            let current = spec.holderIdentity ?? ""
            let renewed = spec.renewTime?.date ?? spec.acquireTime?.date ?? .distantPast
            let expiry = renewed.addingTimeInterval(Double(spec.leaseDurationSeconds ?? duration))
            if !current.isEmpty, current != holder, expiry > now { return false }
            if current != holder {
                spec.acquireTime = MicroTime(now)
                spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1
            }
            spec.holderIdentity = holder
            spec.leaseDurationSeconds = duration
            spec.renewTime = MicroTime(now)
            lease.spec = spec
            _ = try await client.update(lease, namespace: namespace)
            return true
        } catch let error as KubeError where error.isNotFound {
            var lease = Lease()
            lease.metadata.name = name
            lease.metadata.namespace = namespace
            lease.metadata.labels = [Labels.managedBy: Labels.managedByValue, Labels.workspace: workspace]
            lease.spec = LeaseSpec(
                holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: MicroTime(now), renewTime: MicroTime(now))
            do {
                _ = try await client.create(lease, namespace: namespace)
                return true
            } catch let error as KubeError where error.isAlreadyExists {
                return false
            }
        } catch let error as KubeError where error.isConflict {
            return false
        }
    }
}
